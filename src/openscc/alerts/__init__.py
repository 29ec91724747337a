"""Alerts: raised by openscc's own events, kept, and e-mailed through the configured SMTP server.

``model`` (what an alert is, the book of alerts in force), ``expiry`` (which certificates expire)
and ``notify`` (which alerts are e-mailed, and how they read) decide without I/O; ``mail`` sends
one e-mail; ``service.AlertService`` ties them together for one app.
"""
