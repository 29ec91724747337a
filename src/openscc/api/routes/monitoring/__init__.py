"""The monitoring API and the audit trail."""
