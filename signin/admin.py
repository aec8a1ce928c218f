from django.contrib import admin
from django.http import HttpRequest

from signin.models import OidcIdentity


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin[OidcIdentity]):
    """Which provider subject signs in as which account. Staff may remove a link
    (the next sign-in then matches by verified e-mail again), not forge one."""

    list_display = ["user", "issuer", "subject", "created_at", "last_used_at"]
    search_fields = ["user__email", "subject"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: OidcIdentity | None = None
    ) -> bool:
        return False
