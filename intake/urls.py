from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("mina-enkater/", views.response_list, name="response-list"),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/",
        views.response_edit,
        name="response-edit",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/synliga/",
        views.response_visibility,
        name="response-visibility",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/autospara/",
        views.response_autosave,
        name="response-autosave",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/kvitto/",
        views.response_receipt,
        name="response-receipt",
    ),
    path(
        "svar/<int:questionnaire_id>/<int:organisation_id>/oppna-igen/",
        views.response_reopen,
        name="response-reopen",
    ),
    path(
        "samordning/inaktuella/",
        views.consolidation_stale,
        name="consolidation-stale",
    ),
]
