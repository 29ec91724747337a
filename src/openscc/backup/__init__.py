"""Configuration backup archives: key derivation, chunked encryption, manifest and ZIP I/O.

The format is specified in ``docs/backup-format.md``. Nothing here imports the web stack, and
nothing is ever extracted onto the filesystem.
"""
