"""openscc: an open-source SAP Cloud Connector administration server."""

__version__ = "0.1.0"

# The Cloud Connector release whose REST API this server reproduces.
SCC_API_VERSION = "2.19.0.2"
