"""The HTTP API: the machinery (``http``: the endpoint table, the router and its guard, bodies,
answers, the OpenAPI document, the app) apart from the resources (``routes``, one package per
area), whose handlers parse, call the domain and answer in the Cloud Connector's shapes."""
