"""Persistence: the embedded SQLite store of the configuration, with secrets sealed at rest."""
