"""The API's resources, one package per area; each module declares its endpoints in an
``EndpointTable`` that ``openscc.api.http.catalog`` gathers."""
