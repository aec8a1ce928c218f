from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from api import pages as api_pages
from config import errors
from health.views import healthz

admin.site.site_header = "Nära vård-uppföljningen"
admin.site.site_title = "Nära vård-uppföljningen"
admin.site.index_title = "Administration"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages without our layout's icon link
    (/api/docs/, JSON, files): the site's icon, not a 404 in the log."""
    return HttpResponsePermanentRedirect(static("surveys/favicon.svg"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("intake.urls")),
    path("", include("surveys.urls")),
    path("", include("signin.urls")),
    path("", include("reports.urls")),
    path("csrf-token/", errors.csrf_token, name="csrf-token"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/", include("api.urls")),
    # Personal API tokens, under the account (issue #18).
    path("konto/api-nycklar/", api_pages.token_page, name="api-token-page"),
    path(
        "konto/api-nycklar/<int:token_id>/aterkalla/",
        api_pages.token_revoke,
        name="api-token-revoke",
    ),
]

# Swedish pages in the site's layout; JSON for the scripts' endpoints (issue #13).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
