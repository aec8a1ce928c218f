"""Sign-in through the organisation's identity provider (OpenID Connect) and the
staff's second factor. Thin: the matching and the devices are in services."""

from __future__ import annotations

import logging
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import requests
import segno
from authlib.integrations.base_client import OAuthError
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from joserfc.errors import JoseError

from signin.forms import EnrolTokenForm, OtpTokenForm
from signin.oidc import oidc_client, oidc_enabled
from signin.services import (
    account_for_oidc,
    confirm_totp_device,
    pending_totp_device,
    use_recovery_code,
)
from surveys.auth import request_user
from surveys.errors import DomainError

logger = logging.getLogger(__name__)

OIDC_NEXT = "oidc_next"
PROVIDER_FAILED = (
    "Inloggningen hos din organisation kunde inte slutföras. Försök igen; "
    "fungerar det inte, logga in med e-post och lösenord."
)
STALE_ATTEMPT = (
    "Inloggningen hade gått ut eller startades i en annan flik. Börja om från "
    "inloggningssidan."
)
WRONG_CODE = (
    "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen."
)
THROTTLED = "För många felaktiga koder. Vänta en stund och försök igen."


def safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "signin/refused.html", {"message": message}, status=status)


@never_cache
def oidc_start(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled():
        raise Http404
    request.session[OIDC_NEXT] = safe_next(request, request.GET.get("next", ""))
    redirect_uri = request.build_absolute_uri(reverse("signin:oidc-callback"))
    try:
        response: HttpResponse = oidc_client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, OAuthError, ValueError, KeyError):
        logger.exception("OpenID Connect: the provider's discovery failed")
        return refused(request, PROVIDER_FAILED, status=502)
    return response


@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled():
        raise Http404
    client = oidc_client()
    try:
        token = client.authorize_access_token(request)
        id_claims: dict[str, Any] | None = token.get("userinfo")
        if not id_claims:
            raise OAuthError(description="no ID token")
        userinfo = dict(client.userinfo(token=token))
    except OAuthError as exc:
        if exc.error == "mismatching_state":
            return refused(request, STALE_ATTEMPT, status=400)
        logger.warning("OpenID Connect: refused (%s)", exc.error)
        return refused(request, PROVIDER_FAILED, status=400)
    except JoseError as exc:
        # A bad signature, nonce, audience, issuer or expiry of the ID token.
        logger.warning("OpenID Connect: ID token refused (%s)", exc)
        return refused(request, PROVIDER_FAILED, status=400)
    except (requests.RequestException, ValueError, KeyError):
        logger.exception("OpenID Connect: the provider did not answer as expected")
        return refused(request, PROVIDER_FAILED, status=502)
    if userinfo.get("sub") != id_claims.get("sub"):
        return refused(request, PROVIDER_FAILED, status=400)
    # The signed ID token's claims win; userinfo adds what it left out.
    claims = {**userinfo, **dict(id_claims)}
    try:
        user = account_for_oidc(issuer=str(id_claims["iss"]), claims=claims)
    except DomainError as exc:
        # Counted by django-axes like any failed sign-in (per IP address).
        user_login_failed.send(
            sender=__name__, credentials={"oidc": "refused"}, request=request
        )
        return refused(request, exc.message, status=403)
    next_url = request.session.pop(OIDC_NEXT, "")
    auth_login(request, user, backend="signin.backends.OidcBackend")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def verified_or_not_staff(request: HttpRequest) -> bool:
    user = request_user(request)
    return not user.is_staff_member or bool(user.is_verified())  # type: ignore[attr-defined]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator app, or a recovery code."""
    user = request_user(request)
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next", "")
    )
    if verified_or_not_staff(request):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        enrol = reverse("signin:second-factor-enrol")
        return redirect(
            f"{enrol}?{urlencode({'next': next_url})}" if next_url else enrol
        )
    form = OtpTokenForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        assert totp is not None  # noqa: S101 - checked above
        allowed, _ = totp.verify_is_allowed()
        if token.isdigit() and not allowed:
            form.add_error("token", THROTTLED)
        # Six digits are the app's code; anything else may be a recovery code,
        # which verifies the session as the app would (django-otp keeps one
        # device per verified session).
        elif (
            totp.verify_token(token)
            if token.isdigit()
            else use_recovery_code(actor=user, code=token)
        ):
            otp_login(request, totp)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if not form.errors:
            form.add_error("token", WRONG_CODE)
    return render(
        request, "signin/second_factor.html", {"form": form, "next": next_url}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment of the authenticator app: a QR code (inline SVG, so no script
    and no outside service), the secret to type by hand, and a first code. The
    recovery codes are shown once, in the answer to that code."""
    user = request_user(request)
    next_url = safe_next(
        request, request.POST.get("next") or request.GET.get("next", "")
    )
    if not user.is_staff_member:
        raise Http404
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # A lost phone: staff delete the device in the admin, then enrol again.
        return redirect(reverse("signin:second-factor"))
    device = pending_totp_device(actor=user)
    form = EnrolTokenForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", THROTTLED)
        elif device.verify_token(form.cleaned_data["token"].strip().replace(" ", "")):
            codes = confirm_totp_device(actor=user, device=device)
            otp_login(request, device)
            return render(
                request,
                "signin/recovery_codes.html",
                {
                    "codes": codes,
                    "next": next_url or reverse(settings.LOGIN_REDIRECT_URL),
                },
            )
        else:
            form.add_error("token", WRONG_CODE)
    secret = b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "signin/enrol.html",
        {
            "form": form,
            "next": next_url,
            # An image to assistive technology, named by its <title>.
            "qr_svg": segno.make(device.config_url, error="m")
            .svg_inline(scale=5, title="QR-kod för autentiseringsappen")
            .replace("<svg ", '<svg role="img" ', 1),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )
