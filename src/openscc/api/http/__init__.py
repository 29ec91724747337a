"""The HTTP machinery of the API: the endpoint table, the router and its guard, request bodies,
answers, the OpenAPI document and the app that serves them (``app.http_app``)."""
