"""Backups: the configuration backup API of the seed, backup schedules, safety backups."""
