"""Questionnaires: every signed-in caller may read them (their text is public)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import QuestionnaireSerializer, QuestionSerializer
from api.views.base import ApiView
from intake.selectors import questions_of
from surveys.models import Question, Questionnaire


class QuestionnaireListApi(ApiView):
    OutputSerializer = QuestionnaireSerializer

    @extend_schema(responses=QuestionnaireSerializer(many=True))
    def get(self, request: Request) -> Response:
        questionnaires = Questionnaire.objects.select_related("cycle").order_by(
            "-cycle__year", "is_supplementary", "key"
        )
        return Response(self.OutputSerializer(questionnaires, many=True).data)


@dataclass(frozen=True)
class QuestionnaireDetail:
    questionnaire: Questionnaire
    questions: list[Question]


class QuestionnaireDetailApi(ApiView):
    @extend_schema_serializer(component_name="QuestionnaireDetail")
    class OutputSerializer(serializers.Serializer[QuestionnaireDetail]):
        id = serializers.IntegerField(source="questionnaire.pk")
        year = serializers.IntegerField(source="questionnaire.cycle.year")
        key = serializers.CharField(source="questionnaire.key")
        title = serializers.CharField(source="questionnaire.title")
        audience = serializers.CharField(source="questionnaire.audience")
        is_supplementary = serializers.BooleanField(
            source="questionnaire.is_supplementary"
        )
        version = serializers.IntegerField(source="questionnaire.version")
        opens_on = serializers.DateField(source="questionnaire.opens_on")
        closes_on = serializers.DateField(source="questionnaire.closes_on")
        questions = QuestionSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = (
            Questionnaire.objects.select_related("cycle")
            .filter(pk=questionnaire_id)
            .first()
        )
        if questionnaire is None:
            raise Http404("Enkäten finns inte.")
        detail = QuestionnaireDetail(questionnaire, questions_of(questionnaire))
        return Response(self.OutputSerializer(detail).data)
