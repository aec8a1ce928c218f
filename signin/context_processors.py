from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from signin.oidc import oidc_enabled


def oidc_sign_in(request: HttpRequest) -> dict[str, str]:
    """The label of the identity provider's button on the login page, or "" where
    the deployment has no provider configured."""
    return {"oidc_button_label": settings.OIDC_BUTTON_LABEL if oidc_enabled() else ""}
