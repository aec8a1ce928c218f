"""What drf-spectacular cannot see by itself: how the token is sent."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "En personlig API-nyckel (Konto → API-nycklar).",
        }


# Every endpoint can answer these, whatever its own responses: no credentials or
# a refused token (401), a read token or read-only access to a write (403),
# outside one's scope (404), over the rate (429). Declared once here so the
# schema says so, and Schemathesis holds the API to it.
COMMON_ERRORS = {
    "400": "Felaktig begäran; `errors` säger vad per fält.",
    "401": "Ingen eller ogiltig, utgången eller återkallad nyckel.",
    "403": "Nyckeln får bara läsa, eller du får läsa men inte ändra.",
    "404": "Finns inte, eller ligger utanför det du har tillgång till.",
    "429": "För många anrop; Retry-After säger hur många sekunder du ska vänta.",
}


def add_common_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": error}
                )
    return result
