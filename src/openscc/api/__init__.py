"""The HTTP edge: thin handlers that parse, call the domain and answer in the Cloud Connector's shapes."""
