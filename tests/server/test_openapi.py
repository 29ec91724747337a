"""The OpenAPI document describes every route the app serves."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from openscc.api.http.openapi import openapi_path
from openscc.web.routes import web_routes


def test_openapi_document_is_served_without_credentials(client: TestClient) -> None:
    """GET /api/openapi.json is an OpenAPI 3 document, readable before any login."""
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert response.json()["paths"]


def test_openapi_lists_every_endpoint_of_the_table(app: Starlette, client: TestClient) -> None:
    """Each (method, path) of the endpoint table is an operation in the document."""
    paths = client.get("/api/openapi.json").json()["paths"]

    missing = [
        f"{e.method} {e.path}"
        for e in app.state.endpoints.endpoints
        if e.method.lower() not in paths.get(openapi_path(e.path), {})
    ]

    assert missing == []


def test_openapi_lists_every_starlette_route(app: Starlette, client: TestClient) -> None:
    """Every route of the API the app serves, including those outside the table, is in the
    document (the web page's HTML and assets are not API)."""
    paths = client.get("/api/openapi.json").json()["paths"]
    web = {route.path for route in web_routes()}

    missing = []
    for route in app.routes:
        if getattr(route, "path", None) in web:
            continue
        assert isinstance(route, Route), f"unexpected route type {route!r}"
        for method in route.methods or ():
            if method != "HEAD" and method.lower() not in paths.get(openapi_path(route.path), {}):
                missing.append(f"{method} {route.path}")

    assert missing == []


def test_openapi_operations_name_their_roles_and_error_shape(client: TestClient) -> None:
    """Table operations state the roles that may call them and document the error shape."""
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/configuration/connector"]["put"]

    assert operation["x-roles"] == ["sccadmin", "sccassocadmin"]
    assert operation["responses"]["400"]["content"]["application/json"]["schema"]["required"] == [
        "type",
        "message",
    ]
    assert document["components"]["securitySchemes"]["basic"]["scheme"] == "basic"
