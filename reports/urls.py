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
        "rapporter/enkat/<int:questionnaire_id>/granskning/",
        views.questionnaire_review,
        name="questionnaire-review",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/",
        views.question_report,
        name="question",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/"
        "diagram-<int:index>.png",
        views.question_chart_png,
        name="question-chart-png",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/tabeller.xlsx",
        views.question_tables_xlsx,
        name="question-xlsx",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/",
        views.kvalitetsdeklaration_edit,
        name="kvalitetsdeklaration-edit",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/skapa/",
        views.kvalitetsdeklaration_create,
        name="kvalitetsdeklaration-create",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/kvalitetsdeklaration.docx",
        views.kvalitetsdeklaration_docx_download,
        name="kvalitetsdeklaration-docx",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/kvalitetsdeklaration.xlsx",
        views.kvalitetsdeklaration_xlsx_download,
        name="kvalitetsdeklaration-xlsx",
    ),
    path("rapporter/import/", views.import_upload, name="import-upload"),
    path("rapporter/import/bekrafta/", views.import_confirm, name="import-confirm"),
    path("rapporter/import/<int:pk>/", views.import_job, name="import-job"),
    path(
        "rapporter/import/<int:pk>/bekrafta/",
        views.import_job_confirm,
        name="import-job-confirm",
    ),
    path("rapporter/exporter/", views.export_list, name="export-list"),
    path(
        "rapporter/exporter/<int:job_id>/status/",
        views.export_status,
        name="export-status",
    ),
    path(
        "rapporter/exporter/<int:job_id>/ladda-ned/",
        views.export_download,
        name="export-download",
    ),
]
