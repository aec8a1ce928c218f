"""JSON endpoints answer in JSON, whatever goes wrong (issue #13).

The page's scripts (autosave, follow-up questions, export status) read JSON; an
HTML login page or error page instead broke them silently. `wants_json` is the one
rule for which requests get JSON, used by the views below and by the error
handlers and the CSRF failure view in `config.errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

# The URL endings of the endpoints the page's scripts call.
JSON_PATH_ENDINGS = (
    "/autospara/",
    "/spara-utkast/",
    "/synliga/",
    "/status/",
    "/csrf-token/",
)

SESSION_ENDED = (
    "Du är inte inloggad längre, så svaren kunde inte sparas. Det du har skrivit "
    "finns kvar på sidan. Logga in i en ny flik och kom sedan tillbaka hit."
)


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or request.path.endswith(JSON_PATH_ENDINGS)


def json_error(message: str, *, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"saved": False, "message": message, **extra}, status=status)


def json_post(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """login_required and require_POST for a script's endpoint: a signed-out
    caller gets 401 and JSON saying so, with where to sign in, instead of a
    redirect to the HTML login page; another method gets 405 in JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            response = json_error(
                "Adressen tar bara emot sparade formulär.", status=405
            )
            response["Allow"] = "POST"
            return response
        if not request.user.is_authenticated:
            return json_error(
                SESSION_ENDED,
                status=401,
                session_ended=True,
                login_url=reverse("surveys:login"),
            )
        return view(request, *args, **kwargs)

    return wrapped
