"""The site's URLs plus three that fail, for tests/test_error_pages.py: a page,
a script endpoint and an API address raising an unexpected error, to see the
500 handlers answer."""

from django.urls import path

from config import errors
from config.urls import urlpatterns as site_urlpatterns


def broken(request: object) -> None:
    raise RuntimeError("an unexpected failure for the test")


urlpatterns = [
    path("trasig/", broken),
    path("trasig/autospara/", broken),
    path("api/v1/trasig/", broken),
    *site_urlpatterns,
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
