"""Alerting: which alerts are raised, the e-mail settings and the e-mail trust store."""
