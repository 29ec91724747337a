"""Domain logic of the configuration API: entity kinds, keys, validation and JSON views.

Modules here know nothing of HTTP: handlers in ``openscc.api`` parse requests, call these functions
and render what they return. Every piece of configuration is an entity in the EntityStore.
"""
