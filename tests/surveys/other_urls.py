"""A URL configuration other than the site's, for tests/surveys/test_cached_url.py."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path(
        "",
        include(
            ([path("annan-start/", HttpResponse, name="home")], "surveys"),
        ),
    ),
]
