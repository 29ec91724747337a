"""Backups that run themselves: schedules (cron, target, password, retention), their runs, and
the targets archives are shipped to (a directory, S3-compatible object storage)."""
