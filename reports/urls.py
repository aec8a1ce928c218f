from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
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
