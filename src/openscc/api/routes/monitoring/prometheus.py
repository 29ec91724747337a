"""``GET /metrics``: openscc's figures in the Prometheus text format (openscc.monitoring.metrics),
with what is read at each scrape: the certificates' expiry and each backup schedule's figures."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from openscc.api.http.context import Caller, Services, services
from openscc.api.http.endpoints import EndpointTable
from openscc.api.routes.monitoring.monitoring import READ
from openscc.config import certs
from openscc.config.certificate_inventory import held_certificates
from openscc.monitoring.metrics import CONTENT_TYPE, CertificateExpiry
from openscc.monitoring.schedule_figures import ScheduleFigures
from openscc.monitoring.schedule_figures import figures as schedule_figures
from openscc.schedules import model as schedule_model
from openscc.store.entities import EntityStore

endpoints = EndpointTable()
METRICS_PATH = "/metrics"


def _schedule_figures(svc: Services) -> list[ScheduleFigures]:
    """In the store thread: each schedule's figures from the run log (openscc's own and those
    of the connectors it backs up, labelled by source)."""
    records = svc.instance.store.children(schedule_model.KIND, None)
    listed = [(str(r.body["name"]), (r.body.get("source") or {}).get("url")) for r in records]
    return schedule_figures(listed, svc.schedules.runner.runs.runs())


def _expiry(store: EntityStore) -> list[CertificateExpiry]:
    found = []
    for item in held_certificates(store):
        try:
            expires = certs.load_certificate(item.pem).not_valid_after_utc.timestamp()
        except ValueError:
            continue  # unreadable: the alerts say so
        found.append(CertificateExpiry(role=item.role, name=item.entity, expires=expires))
    return found


@endpoints.loop_route(
    "GET",
    METRICS_PATH,
    summary="openscc's metrics in the Prometheus text format",
    **READ,
    response_content_type="text/plain",
)
async def metrics(request: Request, caller: Caller) -> Response:
    svc = services(request)
    expiry = await svc.store_thread.run(_expiry, svc.instance.store)
    scheduled = await svc.store_thread.run(_schedule_figures, svc)
    body = await svc.workers.run(svc.metrics.render, expiry, scheduled)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
