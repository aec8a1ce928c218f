"""Socialstyrelsen's reads and exports: a question's tables per level, the
status of every organisation's response, export jobs. Staff only, through the
report gateway (reports/permissions.py): everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import caller
from api.serializers import ErrorSerializer
from api.views.base import ApiView
from reports.exporters import FORMATS, Target
from reports.exports.files import export_file_response
from reports.exports.jobs import request_export
from reports.forms import ReportOptionsForm
from reports.layouts import Rounding
from reports.models import ExportJob
from reports.permissions import (
    get_cycle_for_staff,
    get_export_job_for_user,
    get_questionnaire_for_report,
)
from reports.selectors import response_status_rows
from reports.tabulation.comparison import compare
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level, QuestionTabulation, Tabulation
from surveys.models import BaseConvention, User

TABLE_PARAMETERS = [
    OpenApiParameter(
        "niva",
        OpenApiTypes.STR,
        enum=[level.value for level in Level],
        description="Nivå: riket (standard), region, rss eller kommun.",
    ),
    OpenApiParameter(
        "rss", OpenApiTypes.INT, description="RSS:ets id, för nivån kommun."
    ),
    OpenApiParameter(
        "svar",
        OpenApiTypes.STR,
        enum=["inskickade", "paborjade"],
        description="Vilka svar som räknas (standard: inskickade).",
    ),
]


class GroupCountsSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="group.code")
    name = serializers.CharField(source="group.name")
    respondents = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    not_answered = serializers.IntegerField()
    escaped = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Basen: de som besvarade frågan.")
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.DecimalField(
        max_digits=30, decimal_places=6, allow_null=True, coerce_to_string=True
    )


class ItemSerializer(serializers.Serializer[Any]):
    row = serializers.CharField(source="row.code", allow_null=True, default=None)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    by_group = GroupCountsSerializer(many=True)


class GroupSummarySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="group.code")
    name = serializers.CharField(source="group.name")
    frame = serializers.IntegerField()
    respondents = serializers.IntegerField()
    not_submitted = serializers.IntegerField()


class TableSerializer(serializers.Serializer[Any]):
    questionnaire_id = serializers.IntegerField()
    level = serializers.CharField()
    selection = serializers.CharField()
    selection_note = serializers.CharField()
    frame = serializers.IntegerField()
    respondents = serializers.IntegerField()
    groups = GroupSummarySerializer(many=True)
    variable = serializers.CharField()
    number = serializers.CharField()
    text = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    items = ItemSerializer(many=True)
    base_convention = serializers.ChoiceField(
        choices=BaseConvention.choices,
        help_text="Av vilka andelarna räknas: answered (de som har svarat) eller "
        "frame (hela ramen, med «Inte lämnat svar» som egen kategori).",
    )
    footnotes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Fotnoterna under frågans tabeller och diagram.",
    )


def _table(
    tabulation: Tabulation, question: QuestionTabulation | None = None
) -> dict[str, Any]:
    """The table of `question` (by default the tabulation's only one)."""
    question = question or tabulation.questions[0]
    ref = question.question
    return {
        "questionnaire_id": tabulation.questionnaire_id,
        "level": tabulation.level.value,
        "selection": tabulation.selection.value,
        "selection_note": tabulation.selection_note,
        "frame": tabulation.frame,
        "respondents": tabulation.respondents,
        "groups": tabulation.groups,
        "variable": ref.variable,
        "number": ref.number,
        "text": ref.text,
        "options": {o.code: o.label for o in ref.options},
        "items": question.items,
        "base_convention": ref.base_convention,
        "footnotes": list(ref.footnotes),
    }


def _options(request: Request, questionnaire: Any) -> ReportOptionsForm:
    """The report page's form, with its defaults for what the query leaves out."""
    data = {
        "niva": Level.RIKET.value,
        "avrundning": Rounding.HALF_UP.value,
        **request.query_params.dict(),
    }
    form = ReportOptionsForm(questionnaire, data)
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form


def _chosen(form: ReportOptionsForm) -> dict[str, Any]:
    """The level, RSS and selection the query chose, as `tabulate` takes them."""
    return {
        "level": Level(form.cleaned_data["niva"]),
        "within_rss": form.cleaned_data.get("rss"),
        "selection": form.selection(),
    }


class QuestionTableApi(ApiView):
    """One question's counts per group at a level, with bases, not answered, not
    applicable and "kan inte uppskattas" kept apart (reports/tabulation)."""

    @extend_schema(
        parameters=TABLE_PARAMETERS,
        responses={200: TableSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, questionnaire_id: int, variable: str) -> Response:
        questionnaire = get_questionnaire_for_report(caller(request), questionnaire_id)
        form = _options(request, questionnaire)
        tabulation = tabulate(questionnaire, variables=[variable], **_chosen(form))
        if not tabulation.questions:
            raise Http404("Frågan finns inte.")
        return Response(TableSerializer(_table(tabulation)).data)


class ComparisonSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    previous_year = serializers.IntegerField(
        allow_null=True,
        help_text="Året som jämförs med: enkätens senaste tidigare omgång, eller "
        "null när enkäten inte har någon.",
    )
    new = serializers.BooleanField(
        help_text="Frågan är ny: den har ingen föregångare (samma linjenyckel) "
        "i den tidigare omgången, och previous är null."
    )
    changes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Vad som har ändrats sedan föregångaren: frågetext, "
        "svarsalternativ, delfrågor eller frågetyp.",
    )
    current = TableSerializer()
    previous = TableSerializer(allow_null=True)


class QuestionComparisonApi(ApiView):
    """One question's table beside its predecessor's in the questionnaire's
    previous cycle (year over year, docs/year-over-year.md): both years
    tabulated at the same level with the same selection."""

    @extend_schema(
        parameters=TABLE_PARAMETERS,
        responses={
            200: ComparisonSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request: Request, questionnaire_id: int, variable: str) -> Response:
        questionnaire = get_questionnaire_for_report(caller(request), questionnaire_id)
        form = _options(request, questionnaire)
        comparison = compare(questionnaire, variables=[variable], **_chosen(form))
        if not comparison.questions:
            raise Http404("Frågan finns inte.")
        [question] = comparison.questions
        body = {
            "year": comparison.year,
            "previous_year": comparison.previous_year,
            "new": question.is_new,
            "changes": list(question.changes),
            "current": _table(comparison.current, question.current),
            "previous": (
                _table(comparison.previous, question.previous)
                if comparison.previous is not None and question.previous is not None
                else None
            ),
        }
        return Response(ComparisonSerializer(body).data)


class StatusRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    answered = serializers.IntegerField()
    required = serializers.IntegerField()  # type: ignore[assignment]  # a field named like a Field attribute


class ResponseStatusApi(ApiView):
    """Every organisation expected to answer a questionnaire and where its
    response stands (the same rows as the Svarsstatus export)."""

    @extend_schema(
        responses={200: StatusRowSerializer(many=True), 404: ErrorSerializer}
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = get_questionnaire_for_report(caller(request), questionnaire_id)
        rows = response_status_rows(questionnaire)
        return Response(StatusRowSerializer(rows, many=True).data)


class ExportJobSerializer(serializers.Serializer[ExportJob]):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    format = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    year = serializers.IntegerField(source="cycle.year")
    questionnaire_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField(source="progress_message")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    download = serializers.BooleanField(source="has_file")


def _target(user: User, data: dict[str, Any]) -> Target:
    questionnaire_id = data.get("questionnaire_id")
    if questionnaire_id is not None:
        return get_questionnaire_for_report(user, questionnaire_id)
    year = data.get("year")
    if year is None:
        raise ValidationError(
            {
                "questionnaire_id": [
                    "Ange enkäten (questionnaire_id) eller omgången (year)."
                ]
            }
        )
    return get_cycle_for_staff(user, year=year)


class ExportCreateApi(ApiView):
    """Order an export; it runs in the background. Follow it with its status."""

    @extend_schema_serializer(component_name="ExportCreate")
    class InputSerializer(serializers.Serializer[Any]):
        questionnaire_id = serializers.IntegerField(required=False, min_value=1)
        year = serializers.IntegerField(required=False, min_value=1900, max_value=9999)
        kind = serializers.CharField(max_length=50)
        format = serializers.ChoiceField(choices=sorted(FORMATS))
        options = serializers.DictField(
            child=serializers.CharField(
                allow_blank=True,
                # DRF's Swedish translation lacks this one.
                error_messages={"invalid": "Värdet ska vara en text."},
            ),
            required=False,
            default=dict,
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            202: ExportJobSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = request_export(
            _target(user, data),
            actor=user,
            kind=data["kind"],
            format=data["format"],
            options=data["options"],
        )
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportStatusApi(ApiView):
    @extend_schema(responses={200: ExportJobSerializer, 404: ErrorSerializer})
    def get(self, request: Request, job_id: int) -> Response:
        job = get_export_job_for_user(caller(request), job_id)
        return Response(ExportJobSerializer(job).data)


class ExportDownloadApi(ApiView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: ErrorSerializer,
        }
    )
    def get(self, request: Request, job_id: int) -> FileResponse:
        return export_file_response(get_export_job_for_user(caller(request), job_id))
