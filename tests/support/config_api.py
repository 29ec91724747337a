"""Helpers for configuration API tests: paths, request bodies and a subaccount maker."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

CONFIG = "/api/v1/configuration"
SUBACCOUNTS = f"{CONFIG}/subaccounts"
REGION = "cf.eu12.hana.ondemand.com"
SUBACCOUNT = "b1799d1c-ce91-4cd4-8b6e-dc8f4eaf0ad9"
SA = f"{SUBACCOUNTS}/{REGION}/{SUBACCOUNT}"
CLOUD_PASSWORD = "cloud-Pa55word!"


def subaccount_body(**overrides: Any) -> dict[str, Any]:
    return {
        "regionHost": REGION,
        "subaccount": SUBACCOUNT,
        "cloudUser": "cloud-user@example.com",
        "cloudPassword": CLOUD_PASSWORD,
        "description": "added by a test",
        **overrides,
    }


def mapping_body(**overrides: Any) -> dict[str, Any]:
    return {
        "virtualHost": "virtual.example",
        "virtualPort": "900",
        "localHost": "internal.example",
        "localPort": "900",
        "protocol": "HTTP",
        "backendType": "abapSys",
        "authenticationMode": "KERBEROS",
        "hostInHeader": "VIRTUAL",
        **overrides,
    }


MAPPING = f"{SA}/systemMappings/virtual.example:900"


def create_subaccount(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(SUBACCOUNTS, json=subaccount_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def create_mapping(client: TestClient, **overrides: Any) -> None:
    response = client.post(f"{SA}/systemMappings", json=mapping_body(**overrides))
    assert response.status_code == 201, response.text
