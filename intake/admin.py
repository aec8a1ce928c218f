"""Staff view of responses, their answers and every change to them.

Read-only: answers change only through `intake.services.save_answers`, which
validates them and writes the history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from intake.models import (
    Answer,
    AnswerChange,
    ContactChange,
    Response,
    ResponseEvent,
)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerInline(_ReadOnly, admin.TabularInline[Answer, Response]):
    model = Answer
    fields = readonly_fields = tuple(
        [
            "question",
            "slot",
            "option",
            "number",
            "text",
            "escaped",
            "channel",
            "entered_by",
            "updated_at",
        ]
    )
    extra = 0

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("question", "option", "entered_by")
        )


class AnswerChangeInline(_ReadOnly, admin.TabularInline[AnswerChange, Response]):
    model = AnswerChange
    fields = readonly_fields = tuple(
        [
            "changed_at",
            "changed_by",
            "channel",
            "question",
            "slot",
            "old_value",
            "new_value",
            "reason",
        ]
    )
    extra = 0
    verbose_name_plural = "ändringshistorik"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("question", "changed_by")


class ContactChangeInline(_ReadOnly, admin.TabularInline[ContactChange, Response]):
    """The contact details' history (personal data; staff only, like the admin)."""

    model = ContactChange
    fields = readonly_fields = (
        "changed_at",
        "changed_by",
        "field",
        "old_value",
        "new_value",
    )
    extra = 0
    verbose_name_plural = "ändringar av kontaktuppgifter"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("changed_by")


class ResponseEventInline(_ReadOnly, admin.TabularInline[ResponseEvent, Response]):
    model = ResponseEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "reason")
    extra = 0
    verbose_name_plural = "inskickningar och återöppningar"


@admin.register(Response)
class ResponseAdmin(_ReadOnly, admin.ModelAdmin[Response]):
    list_display = [
        "organisation",
        "questionnaire",
        "status",
        "version",
        "updated_at",
        "submitted_at",
    ]
    list_filter = ["questionnaire", "status", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code"]
    list_select_related = ["organisation", "questionnaire"]
    inlines = [
        ResponseEventInline,
        AnswerInline,
        AnswerChangeInline,
        ContactChangeInline,
    ]
