"""Export and import jobs in the admin: read-only. Staff order exports at
/rapporter/exporter/ and read in raw data at the import page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reports.models import ExportJob, ImportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin[ExportJob]):
    list_display = (
        "pk",
        "kind",
        "format",
        "cycle",
        "questionnaire",
        "status",
        "progress",
        "requested_by",
        "created_at",
    )
    list_filter = ("status", "kind", "format")
    list_select_related = ("cycle", "questionnaire", "requested_by")
    readonly_fields = tuple(f.name for f in ExportJob._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Retention deletes files and keeps the rows; the admin deletes neither.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = (
        "pk",
        "file_name",
        "questionnaire",
        "stage",
        "status",
        "requested_by",
        "created_at",
        "updated_at",
    )
    list_filter = ("stage", "status")
    list_select_related = ("questionnaire", "requested_by")
    readonly_fields = tuple(f.name for f in ImportJob._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The import's own housekeeping deletes files; the admin deletes nothing.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
