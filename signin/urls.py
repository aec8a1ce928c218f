from django.urls import path

from signin import views

app_name = "signin"

urlpatterns = [
    path("logga-in/oidc/", views.oidc_start, name="oidc-start"),
    path("logga-in/oidc/retur/", views.oidc_callback, name="oidc-callback"),
    path("logga-in/tvastegs/", views.second_factor, name="second-factor"),
    path(
        "logga-in/tvastegs/aktivera/",
        views.second_factor_enrol,
        name="second-factor-enrol",
    ),
]
