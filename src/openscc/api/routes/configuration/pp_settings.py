"""Principal propagation settings (``onPremises/ppSettings``)."""

from __future__ import annotations

from openscc.api.http.endpoints import EndpointTable
from openscc.api.routes.configuration.common import WRITE_SUBACCOUNT
from openscc.api.routes.configuration.singletons import Change, Setting, register
from openscc.config import pp_settings as model

endpoints = EndpointTable()
PATH = "/api/v1/configuration/connector/onPremises/ppSettings"

register(
    endpoints,
    Setting(
        path=PATH,
        summary="The principal propagation settings",
        read=model.settings,
        save=model.save,
        response_schema=model.FIELDS.schema(),
        write=WRITE_SUBACCOUNT,
        changes=(
            Change(
                method="PUT",
                summary="Set both principal propagation settings",
                fields=model.FIELDS,
                apply=model.parse_put,
                audit_event="ppSettings.changed",
                audit_details=dict,
            ),
            Change(
                method="PATCH",
                summary="Change one or both principal propagation settings",
                fields=model.PATCH_FIELDS,
                apply=model.parse_patch,
                audit_event="ppSettings.changed",
                audit_details=dict,
            ),
        ),
    ),
)
