from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rapporter/", views.report_index, name="index"),
    path(
        "rapporter/enkat/<int:questionnaire_id>/",
        views.questionnaire_report,
        name="questionnaire",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/",
        views.question_report,
        name="question",
    ),
]
