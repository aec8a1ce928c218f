"""Personal API tokens: listed, created (the secret shown once) and revoked by
their owner, from a signed-in browser session only (api.permissions.SessionOnly)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import caller
from api.models import ApiToken, TokenScope
from api.permissions import SessionOnly, TokenScopePermission
from api.selectors import get_token_of, tokens_of
from api.serializers import ErrorSerializer
from api.services import create_api_token, revoke_api_token
from api.views.base import ApiView

SESSION_ONLY = [IsAuthenticated, TokenScopePermission, SessionOnly]


class TokenSerializer(serializers.Serializer[ApiToken]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    prefix = serializers.CharField()
    scope = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class CreatedTokenSerializer(TokenSerializer):
    secret = serializers.CharField(help_text="Visas bara nu: spara den.")


class TokenListApi(ApiView):
    permission_classes = SESSION_ONLY

    @extend_schema_serializer(component_name="TokenCreate")
    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)
        scope = serializers.ChoiceField(choices=TokenScope.choices)
        days = serializers.IntegerField(
            min_value=1, max_value=settings.API_TOKEN_MAX_DAYS, default=90
        )

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = list(tokens_of(caller(request)))
        return Response(TokenSerializer(tokens, many=True).data)  # type: ignore[arg-type]

    @extend_schema(
        request=InputSerializer,
        responses={201: CreatedTokenSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = create_api_token(actor=caller(request), **serializer.validated_data)
        body = {**TokenSerializer(created.token).data, "secret": created.secret}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevokeApi(ApiView):
    permission_classes = SESSION_ONLY

    @extend_schema(request=None, responses={200: TokenSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, token_id: int) -> Response:
        user = caller(request)
        token = revoke_api_token(get_token_of(user, token_id), actor=user)
        return Response(TokenSerializer(token).data)
