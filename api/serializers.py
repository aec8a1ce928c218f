"""Output shapes shared by several endpoints; each endpoint's own input and
output serializers sit beside its view (docs/conventions.md §4)."""

from __future__ import annotations

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[dict[str, object]]):
    detail = serializers.CharField(help_text="Vad som gick fel, på svenska.")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like a Field attribute
        required=False,
        help_text="Felen per fält eller frågevariabel: en lista av texter, "
        "eller för ett fält med delar (t.ex. answers) felen per del.",
    )


class QuestionnaireSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField(source="pk")
    year = serializers.IntegerField(source="cycle.year")
    key = serializers.CharField()
    title = serializers.CharField()
    audience = serializers.CharField()
    is_supplementary = serializers.BooleanField()


class OrganisationSerializer(serializers.Serializer[object]):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()


class ChoiceSerializer(serializers.Serializer[object]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute


class QuestionSerializer(serializers.Serializer[object]):
    variable = serializers.CharField()
    number = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()
    help_text = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field named like a Field attribute
    condition = serializers.JSONField(allow_null=True)
    unit = serializers.CharField()
    options = ChoiceSerializer(many=True, source="options.all")
    rows = ChoiceSerializer(many=True, source="rows.all")
