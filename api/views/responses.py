"""The caller's responses: list, read, save a draft, submit.

Through the same gateway (`intake.permissions.get_response_access`), services
(`save_answers`, `submit_response`), validation and history as the form. The
form merges concurrent saves question by question (`intake.merge`) because a
person sees both versions; a program cannot choose, so the API takes the plain
optimistic lock: the version read (ETag) must be the version written (If-Match).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.answers import answer_values
from api.authentication import caller as request_user
from api.serializers import (
    ErrorSerializer,
    OrganisationSerializer,
    QuestionnaireSerializer,
)
from api.versions import etag, expected_version
from api.views.base import ApiView
from intake.models import Channel, ResponseStatus
from intake.models import Response as SurveyResponse
from intake.permissions import (
    ResponseAccess,
    answerable_pairs,
    get_response_access,
)
from intake.selectors import answer_cells, questions_of, responses_for_pairs
from intake.services.lifecycle import get_or_create_response, submit_response
from intake.services.saving import save_answers
from surveys.errors import DomainError

NOTHING_TO_SUBMIT = "Enkäten kan inte skickas in: inga frågor är besvarade ännu."

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='Svarets version från ETag, t.ex. "3" (0 för ett svar som inte finns ännu).',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description='Svarets version, t.ex. "3": skicka den som If-Match när du ändrar.',
)
WRITE_ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    412: ErrorSerializer,
    428: ErrorSerializer,
}


class ResponseSummarySerializer(serializers.Serializer[Any]):
    questionnaire = QuestionnaireSerializer()
    organisation = OrganisationSerializer()
    status = serializers.CharField()
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class ResponseListApi(ApiView):
    """The questionnaires the caller answers for their own organisations (as on
    "Mina enkäter"), each with its response's status and version."""

    @extend_schema(responses=ResponseSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        pairs = answerable_pairs(request_user(request))
        responses = responses_for_pairs((q.pk, o.pk) for q, o in pairs)
        rows = []
        for questionnaire, organisation in pairs:
            response = responses.get((questionnaire.pk, organisation.pk))
            rows.append(
                {
                    "questionnaire": questionnaire,
                    "organisation": organisation,
                    "status": response.status
                    if response
                    else ResponseStatus.NOT_STARTED,
                    "version": response.version if response else 0,
                    "submitted_at": response.submitted_at if response else None,
                }
            )
        return Response(ResponseSummarySerializer(rows, many=True).data)


class ResponseDetailSerializer(ResponseSummarySerializer):
    answers = serializers.DictField(
        help_text="Svaren per frågevariabel, i samma form som de skickas in."
    )


def _detail(access: ResponseAccess, response: SurveyResponse | None) -> Response:
    questions = questions_of(access.questionnaire)
    version = response.version if response else 0
    body = ResponseDetailSerializer(
        {
            "questionnaire": access.questionnaire,
            "organisation": access.organisation,
            "status": response.status if response else ResponseStatus.NOT_STARTED,
            "version": version,
            "submitted_at": response.submitted_at if response else None,
            "answers": answer_values(questions, answer_cells(response)),
        }
    ).data
    return Response(body, headers={"ETag": etag(version)})


def _channel(access: ResponseAccess) -> Channel:
    """An RSS coordinator writing a kommun's answers is a proxy entry, as in the form."""
    return Channel.API if access.own else Channel.PROXY


class ResponseDetailApi(ApiView):
    @extend_schema(
        parameters=[ETAG],
        responses={200: ResponseDetailSerializer, 404: ErrorSerializer},
    )
    def get(
        self, request: Request, questionnaire_id: int, organisation_id: int
    ) -> Response:
        access = get_response_access(
            request_user(request),
            questionnaire_id=questionnaire_id,
            organisation_id=organisation_id,
            for_write=False,
        )
        return _detail(access, access.response)


class ResponseSaveApi(ApiView):
    """Save a draft: change the answers named (by variable), leave the others; an
    empty value (null, "", [] or {}) removes an answer."""

    @extend_schema_serializer(component_name="ResponseSave")
    class InputSerializer(serializers.Serializer[Any]):
        answers = serializers.DictField(
            help_text="Svar per frågevariabel: en kod, en lista av koder, "
            '{rad: kod}, ett tal (eller {"escaped": true}), en text.'
        )
        reason = serializers.CharField(
            required=False, allow_blank=True, max_length=300, default=""
        )

    @extend_schema(
        request=InputSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: ResponseDetailSerializer, **WRITE_ERRORS},
    )
    def patch(
        self, request: Request, questionnaire_id: int, organisation_id: int
    ) -> Response:
        user = request_user(request)
        access = get_response_access(
            user,
            questionnaire_id=questionnaire_id,
            organisation_id=organisation_id,
            for_write=True,
        )
        version = expected_version(
            request, current=access.response.version if access.response else 0
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = access.response or get_or_create_response(
            access.questionnaire,
            organisation=access.organisation,
            channel=_channel(access),
        )
        response = save_answers(
            response,
            actor=user,
            channel=_channel(access),
            values=serializer.validated_data["answers"],
            expected_version=version,
            reason=serializer.validated_data["reason"],
        )
        return _detail(access, response)


class ResponseSubmitApi(ApiView):
    """Submit a complete response: it is locked until Socialstyrelsen reopens it."""

    @extend_schema(
        request=None,
        parameters=[IF_MATCH, ETAG],
        responses={200: ResponseDetailSerializer, **WRITE_ERRORS},
    )
    def post(
        self, request: Request, questionnaire_id: int, organisation_id: int
    ) -> Response:
        user = request_user(request)
        access = get_response_access(
            user,
            questionnaire_id=questionnaire_id,
            organisation_id=organisation_id,
            for_write=True,
        )
        version = expected_version(
            request, current=access.response.version if access.response else 0
        )
        response = access.response
        if response is None:
            raise DomainError(NOTHING_TO_SUBMIT)
        response = submit_response(response, actor=user, expected_version=version)
        return _detail(access, response)
