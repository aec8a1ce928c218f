"""Reads for theme coding: the answers to code, a coder's codings, the next
uncoded answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from intake.models import Answer, ResponseStatus
from reports.themes.models import Coding, Theme, ThemeEvent, ThemeScheme
from surveys.kinds import TYPED_TEXT_KINDS
from surveys.models import Question, Questionnaire, User

# Organisations in the order of the published tables (as reports.tabulation.groups).
ORGANISATION_ORDER = (
    "response__organisation__region__sort_order",
    "response__organisation__sort_order",
    "response__organisation__code",
)


def free_text_questions(questionnaire: Questionnaire) -> QuerySet[Question]:
    """The questions of a questionnaire that can be coded with themes: the
    respondent's own free text and an RSS's summary of its kommuners' texts."""
    return questionnaire.questions.filter(kind__in=TYPED_TEXT_KINDS).order_by(
        "position"
    )


def answered_text(question: Question) -> QuerySet[Answer]:
    """The base of every theme count: one answer per organisation that submitted a
    non-empty text to the question (the same submitted responses the tables count)."""
    return (
        Answer.objects.filter(
            question=question, slot="", response__status=ResponseStatus.SUBMITTED
        )
        .exclude(text="")
        .order_by(*ORGANISATION_ORDER)
    )


def themes_in_use(scheme: ThemeScheme | None) -> list[Theme]:
    if scheme is None:
        return []
    return list(scheme.themes.filter(removed_at__isnull=True))


def scheme_of(question: Question) -> ThemeScheme | None:
    return (
        ThemeScheme.objects.select_related("agreed_coder")
        .filter(question=question)
        .first()
    )


@dataclass(frozen=True)
class CodingRow:
    answer: Answer
    coded: bool
    theme_ids: frozenset[int]


def coding_rows(
    question: Question, scheme: ThemeScheme | None, coder: User
) -> list[CodingRow]:
    """Every answer to code, with the coder's own coding of it (three queries)."""
    answers = list(answered_text(question).select_related("response__organisation"))
    codings: dict[int, frozenset[int]] = {}
    if scheme is not None:
        for coding in Coding.objects.filter(
            scheme=scheme, coder=coder
        ).prefetch_related("themes"):
            codings[coding.response_id] = frozenset(t.pk for t in coding.themes.all())
    return [
        CodingRow(
            answer=answer,
            coded=answer.response_id in codings,
            theme_ids=codings.get(answer.response_id, frozenset()),
        )
        for answer in answers
    ]


def next_uncoded(rows: list[CodingRow], *, after: int | None) -> int | None:
    """The response id of the first uncoded answer after `after` (wrapping round),
    so "Nästa obesvarade" moves forward through the list."""
    ids = [row.answer.response_id for row in rows]
    start = ids.index(after) + 1 if after in ids else 0
    for row in rows[start:] + rows[:start]:
        if not row.coded:
            return row.answer.response_id
    return None


def coders_of(scheme: ThemeScheme | None) -> list[User]:
    if scheme is None:
        return []
    return list(
        User.objects.filter(pk__in=scheme.codings.values("coder_id")).order_by("email")
    )


RECENT_EVENTS = 20


def recent_events(scheme: ThemeScheme | None) -> list[ThemeEvent]:
    """The latest changes of the scheme, newest first (the full history is kept)."""
    if scheme is None:
        return []
    return list(
        scheme.events.select_related("actor", "theme").order_by("-created_at", "-pk")[
            :RECENT_EVENTS
        ]
    )
