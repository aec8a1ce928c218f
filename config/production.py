"""What production refuses to start with (issue #18).

The image sets PRODUCTION=true; settings then call `problems` and stop with all of
them listed, so a deployment never runs on a development key or prints the
one-time sign-in links to its logs for want of an e-mail server.
"""

from __future__ import annotations

# Keys that appear in this repository; never secret.
KNOWN_KEYS = frozenset({"", "change-me", "insecure-local-development-key"})
# Django's own bar for a strong key (security.W009).
MIN_KEY_LENGTH = 50
MIN_KEY_CHARACTERS = 5


def problems(
    *,
    secret_key: str,
    debug: bool,
    email_host: str,
    allowed_hosts: list[str],
    oidc_discovery_url: str = "",
    oidc_client_id: str = "",
    oidc_client_secret: str = "",
) -> list[str]:
    found = []
    if secret_key in KNOWN_KEYS:
        found.append("SECRET_KEY is unset or a value from the repository")
    elif len(secret_key) < MIN_KEY_LENGTH or len(set(secret_key)) < MIN_KEY_CHARACTERS:
        found.append(
            f"SECRET_KEY is weak: at least {MIN_KEY_LENGTH} characters, "
            f"{MIN_KEY_CHARACTERS} of them different"
        )
    if debug:
        found.append("DEBUG is on")
    if not email_host:
        # Without it e-mail, one-time sign-in links included, goes to the log.
        found.append("EMAIL_HOST is unset (sign-in links would be written to the log)")
    if not allowed_hosts or "*" in allowed_hosts:
        found.append("ALLOWED_HOSTS must name the service's host names")
    if oidc_client_id and not oidc_discovery_url.startswith("https://"):
        # The discovery document names the keys ID tokens are checked with.
        found.append("OIDC_DISCOVERY_URL (or OIDC_ISSUER) must be an https:// URL")
    if oidc_client_id and not oidc_client_secret:
        found.append("OIDC_CLIENT_SECRET is unset")
    return found
