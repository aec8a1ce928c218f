"""/healthz: 200 when the database, the broker, beat's heartbeat and the file
storage are fine, else 503."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from health.checks import all_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    # Open to anyone (load balancers do not sign in): it names no data, only
    # which service is down.
    checks = all_checks()
    healthy = all(check.ok for check in checks)
    return JsonResponse(
        {
            "status": "ok" if healthy else "fel",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        },
        status=200 if healthy else 503,
    )
