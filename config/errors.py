"""Error pages in Swedish and in the site's layout, and JSON for the scripts'
endpoints (issue #13). Named in config/urls.py (handler400…500) and settings
(CSRF_FAILURE_VIEW)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from surveys.http import json_error, wants_json

BAD_REQUEST = "Det som skickades gick inte att läsa. Gå tillbaka och försök igen."
FORBIDDEN = "Du har inte behörighet till det här."
NOT_FOUND = (
    "Sidan eller enkäten finns inte, eller så hör den inte till din organisation."
)
SERVER_ERROR = (
    "Något gick fel hos oss. Det som redan var sparat finns kvar. Försök igen om en "
    "stund."
)
API_PREFIX = "/api/"
CSRF_FAILED = (
    "Sidan har blivit inaktuell, till exempel för att du har loggat in eller ut i en "
    "annan flik. Det du just skickade har inte sparats."
)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return json_error(BAD_REQUEST, status=400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return json_error(FORBIDDEN, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return json_error(NOT_FOUND, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: whatever failed (the
    database, the session) must not fail the error page too."""
    if request.path.startswith(API_PREFIX):
        # The REST API's error shape (docs/api.md), whatever the client accepts.
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    if wants_json(request):
        return json_error(SERVER_ERROR, status=500)
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or script posting with a token that no longer holds (a sign-in in
    another tab rotates it). Scripts get JSON saying so, to fetch a fresh token
    (`csrf_token`) and try again; people get a Swedish page with a way back."""
    if wants_json(request):
        return json_error(CSRF_FAILED, status=403, csrf_failed=True)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(
        request, "403_csrf.html", {"back_url": back, "message": CSRF_FAILED}, status=403
    )


def csrf_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for a page whose token was rotated by a sign-in in
    another tab, so it can save without being reloaded."""
    return JsonResponse({"csrf_token": get_token(request)})
