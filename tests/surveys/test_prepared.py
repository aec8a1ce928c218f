"""Queries compiled once and run with new arguments (surveys.prepared, issue #20):
the same rows as the queryset they were built from, counted as queries, and an
id out of range matches nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from intake.models import Response
from intake.permissions import _response_with_role
from surveys.models import Organisation, OrganisationRole, Population, Region, User
from surveys.prepared import Prepared
from surveys.selectors import population_of
from tests.factories import QuestionnaireFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _regions(kind: str, minimum_id: int) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(kind=kind, pk__gte=minimum_id)
        .order_by("code")
        .values_list("pk", "code", "name")
    )


def test_rows_are_the_querysets_rows_for_any_arguments() -> None:
    prepared = Prepared(lambda minimum_id: _regions("region", minimum_id))
    ids = sorted(Region.objects.values_list("pk", flat=True))
    for minimum_id in (ids[0], ids[5], ids[-1], ids[-1] + 1):
        assert prepared.rows(minimum_id) == list(_regions("region", minimum_id))


def test_each_run_is_one_counted_query() -> None:
    prepared = Prepared(lambda minimum_id: _regions("region", minimum_id))
    prepared.rows(0)
    with CaptureQueriesContext(connection) as queries:
        prepared.rows(1)
        prepared.rows(2)
    assert len(queries) == 2


def test_an_id_out_of_range_matches_nothing_without_a_query() -> None:
    prepared = Prepared(lambda minimum_id: _regions("region", minimum_id))
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(2**70) == []
        assert prepared.rows(-(2**64)) == []
    assert len(queries) == 0


def test_an_argument_not_used_as_a_value_is_refused() -> None:
    def build(unused: int) -> Any:
        return Organisation.objects.values_list("pk")

    with pytest.raises(RuntimeError):
        Prepared(build).rows(1)


def test_fixed_arguments_are_compiled_per_value() -> None:
    region = Region.objects.get(code="08")
    Population.objects.create(
        organisation=region,
        population=250_000,
        reference_date=datetime.date(2023, 11, 1),
        source="test",
    )
    late = population_of(region.pk, on_or_before=datetime.date(2024, 12, 31))
    early = population_of(region.pk, on_or_before=datetime.date(2022, 12, 31))
    assert late is not None and late.population == 250_000
    assert early is not None and early.reference_date == datetime.date(2021, 11, 1)
    assert population_of(region.pk, on_or_before=datetime.date(2000, 1, 1)) is None


@pytest.mark.parametrize("has_role", [True, False])
def test_the_gateways_response_is_the_orms(has_role: bool) -> None:
    """The gateway's one query builds the response, its questionnaire, cycle and
    organisation as `select_related` reads them, and nothing more is read."""
    region = Region.objects.get(code="08")
    response = ResponseFactory(
        questionnaire=QuestionnaireFactory(), organisation=region
    )
    user: User = UserFactory()
    if has_role:
        OrganisationRole.objects.create(user=user, organisation=region)
    expected = Response.objects.select_related(
        "questionnaire__cycle", "organisation"
    ).get(pk=response.pk)
    with CaptureQueriesContext(connection) as queries:
        got, role = _response_with_role(
            user,
            questionnaire_id=response.questionnaire_id,
            organisation_id=region.pk,
        )
        assert got is not None
        related = [got.questionnaire, got.questionnaire.cycle, got.organisation]
    assert len(queries) == 1
    assert role is has_role
    for obj, orm in zip(
        [got, *related],
        [
            expected,
            expected.questionnaire,
            expected.questionnaire.cycle,
            expected.organisation,
        ],
        strict=True,
    ):
        assert type(obj) is type(orm)
        assert not obj._state.adding
        assert {
            f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
        } == {f.attname: getattr(orm, f.attname) for f in orm._meta.concrete_fields}


def test_the_gateway_finds_no_response_of_another_pair() -> None:
    response = ResponseFactory(
        questionnaire=QuestionnaireFactory(),
        organisation=Region.objects.get(code="08"),
    )
    other = Region.objects.get(code="01")
    got, role = _response_with_role(
        UserFactory(),
        questionnaire_id=response.questionnaire_id,
        organisation_id=other.pk,
    )
    assert (got, role) == (None, False)
