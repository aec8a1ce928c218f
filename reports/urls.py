from django.urls import path

from reports.views import (
    downloads,
    exports,
    imports,
    kvalitetsdeklaration,
    review,
    status_board,
    tables,
    themes,
    year_over_year,
)

app_name = "reports"

urlpatterns = [
    path("rapporter/", tables.report_index, name="index"),
    path(
        "rapporter/enkat/<int:questionnaire_id>/",
        tables.questionnaire_report,
        name="questionnaire",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/granskning/",
        review.questionnaire_review,
        name="questionnaire-review",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/",
        tables.question_report,
        name="question",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/"
        "diagram-<int:index>.png",
        downloads.question_chart_png,
        name="question-chart-png",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/tabeller.xlsx",
        downloads.question_tables_xlsx,
        name="question-xlsx",
    ),
    # Year over year (issue #19 point 2): the questionnaire, or one question,
    # beside the previous cycle's.
    path(
        "rapporter/enkat/<int:questionnaire_id>/jamforelse/",
        year_over_year.year_over_year,
        name="year-over-year",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/jamforelse.xlsx",
        year_over_year.year_over_year_xlsx,
        name="year-over-year-xlsx",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/jamforelse/",
        year_over_year.year_over_year,
        name="question-year-over-year",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/jamforelse.xlsx",
        year_over_year.year_over_year_xlsx,
        name="question-year-over-year-xlsx",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/fraga/<slug:variable>/"
        "jamforelse-diagram-<int:index>.png",
        year_over_year.year_over_year_png,
        name="year-over-year-png",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/",
        kvalitetsdeklaration.kvalitetsdeklaration_edit,
        name="kvalitetsdeklaration-edit",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/skapa/",
        kvalitetsdeklaration.kvalitetsdeklaration_create,
        name="kvalitetsdeklaration-create",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/kvalitetsdeklaration.docx",
        downloads.kvalitetsdeklaration_docx_download,
        name="kvalitetsdeklaration-docx",
    ),
    path(
        "rapporter/kvalitetsdeklaration/<int:year>/kvalitetsdeklaration.xlsx",
        downloads.kvalitetsdeklaration_xlsx_download,
        name="kvalitetsdeklaration-xlsx",
    ),
    # Staff: every expected organisation of a cycle, its status and reminders.
    path(
        "rapporter/status/<int:year>/",
        status_board.cycle_status_board,
        name="status-board",
    ),
    path(
        "rapporter/status/<int:year>/status.xlsx",
        status_board.cycle_status_board_xlsx,
        name="status-board-xlsx",
    ),
    path(
        "rapporter/status/<int:year>/paminn/",
        status_board.cycle_status_board_remind,
        name="status-board-remind",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/",
        themes.theme_index,
        name="themes-index",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/<slug:variable>/",
        themes.theme_scheme,
        name="themes-scheme",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/<slug:variable>/koda/",
        themes.theme_coding,
        name="themes-coding",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/<slug:variable>/overensstammelse/",
        themes.theme_agreement,
        name="themes-agreement",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/<slug:variable>/antal/",
        themes.theme_table,
        name="themes-table",
    ),
    path(
        "rapporter/enkat/<int:questionnaire_id>/teman/<slug:variable>/citat.<str:fmt>",
        themes.theme_quotes,
        name="themes-quotes",
    ),
    path("rapporter/import/", imports.import_upload, name="import-upload"),
    path("rapporter/import/bekrafta/", imports.import_confirm, name="import-confirm"),
    path("rapporter/import/<int:pk>/", imports.import_job, name="import-job"),
    path(
        "rapporter/import/<int:pk>/bekrafta/",
        imports.import_job_confirm,
        name="import-job-confirm",
    ),
    path("rapporter/exporter/", exports.export_list, name="export-list"),
    path(
        "rapporter/exporter/<int:job_id>/status/",
        exports.export_status,
        name="export-status",
    ),
    path(
        "rapporter/exporter/<int:job_id>/ladda-ned/",
        exports.export_download,
        name="export-download",
    ),
]
