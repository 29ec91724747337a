"""Domain logic of the configuration API: parsing (``values``), validation and JSON views of each
kind of entity (the kinds themselves are declared in ``openscc.kinds``).

Modules here know nothing of HTTP: handlers in ``openscc.api.routes`` parse requests with these
functions and render what they return. Every piece of configuration is an entity in the
EntityStore.
"""
