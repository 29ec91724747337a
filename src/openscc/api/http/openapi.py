"""The OpenAPI document, generated from the endpoint table."""

from __future__ import annotations

import re
from typing import Any

from openscc import __version__
from openscc.api.http.endpoints import Endpoint, EndpointTable

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "message": {"type": "string"}},
    "required": ["type", "message"],
}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


LOCATION_HEADER: dict[str, Any] = {
    "description": "The absolute URL of the new entity",
    "required": True,
    "schema": {"type": "string"},
}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if endpoint.status == 204:
        responses["204"] = {"description": "Done"}
    elif endpoint.status == 201 and endpoint.response_schema is None:
        # created() without content: an empty body and the new entity's Location.
        responses["201"] = {"description": "Created", "headers": {"Location": LOCATION_HEADER}}
    elif endpoint.response_content_type == "application/json":
        schema = endpoint.response_schema or {}
        responses[str(endpoint.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
        if endpoint.status == 201:
            responses["201"]["headers"] = {"Location": LOCATION_HEADER}
    else:
        responses[str(endpoint.status)] = {
            "description": "OK",
            "content": {
                endpoint.response_content_type: {"schema": {"type": "string", "format": "binary"}}
            },
        }
    for code, text in (
        ("400", "Invalid request"),
        ("401", "Authentication required"),
        ("403", "Forbidden"),
        ("404", "Not found"),
        ("409", "Conflict"),
        ("413", "Upload too large"),
        ("415", "Unsupported content type"),
    ):
        responses[code] = {
            "description": text,
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
    # Any request that writes may find the store locked by another process (with Retry-After).
    responses["503"] = {
        "description": "The configuration store is locked by another process; retry later",
        "headers": {"Retry-After": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    for code, more in endpoint.more_responses.items():
        responses[code] = _error(more) if isinstance(more, str) else more
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "x-roles": sorted(endpoint.roles),
        "responses": responses,
    }
    if endpoint.public:
        operation["security"] = []
    elif endpoint.peer_auth:
        operation["security"] = [{"peer": []}]
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(endpoint.path)
    ]
    parameters += list(endpoint.query)
    if parameters:
        operation["parameters"] = parameters
    body = endpoint.request_body_schema
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {endpoint.request_content_type: {"schema": body}},
        }
    return operation


def openapi_path(path: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


# Routes the app serves outside the endpoint table (they run before or without the guard).
_SERVER_PATHS: dict[str, dict[str, Any]] = {
    "/j_security_check": {
        "post": {
            "summary": "Form login: starts a session (JSESSIONID cookie and X-CSRF-Token header)",
            "tags": ["session"],
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "j_username": {"type": "string"},
                                "j_password": {"type": "string"},
                            },
                            "required": ["j_username", "j_password"],
                        }
                    }
                },
            },
            "responses": {
                "204": {"description": "Logged in"},
                "401": _error(
                    "Invalid credentials, locked out, or the LDAP directory cannot be reached"
                ),
                "403": _error("A directory (LDAP) user with none of the Cloud Connector's roles"),
                "413": _error("Form too large"),
                "415": _error("Not application/x-www-form-urlencoded"),
                "503": _error("Too many logons are being checked at once; retry later"),
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This OpenAPI document",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}


def build_openapi(table: EndpointTable) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {path: dict(ops) for path, ops in _SERVER_PATHS.items()}
    for endpoint in table.endpoints:
        paths.setdefault(openapi_path(endpoint.path), {})[endpoint.method.lower()] = _operation(
            endpoint
        )
    return {
        # 3.1: its schemas are JSON Schema, so lenient fields may say "type": ["boolean", "string"].
        "openapi": "3.1.0",
        "info": {
            "title": "openscc: Cloud Connector administration API",
            "version": __version__,
        },
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                # The high-availability pair's own credential (docs/high-availability.md).
                "peer": {"type": "http", "scheme": "bearer"},
            }
        },
        "security": [{"basic": []}],
        "paths": paths,
    }
