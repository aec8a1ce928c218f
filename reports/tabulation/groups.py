"""The groups of a level (riket, region, RSS, kommun) and the SQL expression that
puts a row in its group.

Shared by the tabulation's counts and its item nonresponse; kept apart from both
because it is the one place that knows how organisations map onto a level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import (
    Expression,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)

from reports.tabulation.results import RIKET, Choice, Group, Level, QuestionRef
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents

GroupExpr = Expression | F | Subquery | None

# The register's published order of the groups of a level.
GROUP_ORDER = ("region__sort_order", "sort_order", "code")

# --- groups ----------------------------------------------------------------------------


def _group_expr(questionnaire: Questionnaire, level: Level, prefix: str) -> GroupExpr:
    """The organisation id a row is grouped under; `prefix` reaches the
    organisation ("" for organisations themselves)."""
    org = f"{prefix}pk" if not prefix else f"{prefix}id"
    if level == Level.RIKET:
        return None
    if level == Level.REGION:
        return F(f"{prefix}region_id")
    if level == Level.RSS and questionnaire.audience == OrganisationKind.KOMMUN:
        # Ordered by the membership's own column: the model's default ordering
        # joined two organisations and sorted them for every answer, which was
        # most of the time of a kommun table workbook. A kommun has one
        # membership a year (check_rss_coverage); the order only settles
        # overlapping data.
        return Subquery(
            RSSMembership.objects.filter(
                memberships_in_year(questionnaire.cycle.year), kommun_id=OuterRef(org)
            )
            .order_by("valid_from")
            .values("rss_id")[:1]
        )
    return F(org)


def _per_group(
    queryset: QuerySet[Any],
    group: GroupExpr,
    aggregates: Mapping[str, Any],
    *,
    by: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """One row per group (and `by` values) with the aggregates; `group` is None at
    riket."""
    if group is None:
        if not by:
            return [{"group": None, **queryset.aggregate(**aggregates)}]
        return [
            {"group": None, **row}
            for row in queryset.values(*by).annotate(**aggregates).order_by()
        ]
    return list(
        queryset.annotate(group=group)
        .values("group", *by)
        .annotate(**aggregates)
        .order_by()
    )


def _groups(
    questionnaire: Questionnaire, level: Level, *, within_rss: Organisation | None
) -> list[Group]:
    if level == Level.RIKET:
        return [RIKET]
    return [
        Group(key=o.pk, code=o.code, name=o.name, short_name=o.short_name)
        for o in _groups_queryset(questionnaire, level, within_rss=within_rss)
    ]


def _groups_queryset(
    questionnaire: Questionnaire, level: Level, *, within_rss: Organisation | None
) -> QuerySet[Organisation]:
    """The organisations that are the groups of a level other than riket, in
    the register's published order."""
    if level == Level.REGION:
        organisations = Organisation.objects.filter(kind=OrganisationKind.REGION)
    elif level == Level.RSS:
        organisations = Organisation.objects.filter(kind=OrganisationKind.RSS)
        if within_rss is not None:
            organisations = organisations.filter(pk=within_rss.pk)
    else:
        organisations = expected_respondents(questionnaire)
        if within_rss is not None:
            organisations = organisations.filter(
                pk__in=RSSMembership.objects.filter(
                    memberships_in_year(questionnaire.cycle.year), rss=within_rss
                ).values("kommun_id")
            )
    return organisations.order_by(*GROUP_ORDER)


def _ref(question: Question) -> QuestionRef:
    return QuestionRef(
        id=question.pk,
        variable=question.variable,
        number=question.number,
        kind=question.kind,
        text=question.text,
        label=question.label,
        escape_label=question.escape_label,
        unit=question.unit,
        national_figure=question.national_figure,
        has_condition=bool(question.condition),
        options=tuple(Choice(o.code, o.label) for o in question.options.all()),
        rows=tuple(Choice(r.code, r.label) for r in question.rows.all()),
        footnotes=tuple(question.footnotes),
        base_convention=question.base_convention,
    )
