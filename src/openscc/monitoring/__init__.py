"""Monitoring: the machine's figures, the monitoring API's answers, Prometheus metrics."""
