"""The Cloud Connector's configuration API: the connector, subaccounts and what they hold,
certificates and trust, and the connector-wide settings."""
