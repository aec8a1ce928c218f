"""Rules a parsed definition must keep beyond its own fields: within a file
(unique names, follow-ups, display conditions), across the files of a cycle (RSS
questions and their kommun sources) and across cycles (lineage).

Separate from the parser: the loader runs the lineage check on records read from
the database as well as from files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from surveys import conditions
from surveys.definitions.records import (
    Collector,
    CycleDef,
    PreviousQuestion,
    Problem,
    QuestionDef,
    QuestionnaireDef,
)
from surveys.definitions.values import check_unique
from surveys.kinds import CLOSED_KINDS, FREE_TEXT_KINDS, RSS_AGGREGATE_KINDS, facts
from surveys.models.questionnaires import Comparability
from surveys.models.register import OrganisationKind


def validate_questionnaire(questionnaire: QuestionnaireDef) -> list[Problem]:
    """Rules within one file: unique names, follow-ups, display conditions."""
    out = Collector(questionnaire.file)
    check_unique(
        out,
        [q.variable for q in questionnaire.questions],
        "variabeln",
        lambda v: _number_of(questionnaire, v),
    )
    numbers = [q.number for q in questionnaire.questions]
    check_unique(out, numbers, "numret", lambda n: n)
    earlier: dict[str, QuestionDef] = {}
    all_variables = {q.variable for q in questionnaire.questions}
    for question in questionnaire.questions:
        if question.parent is not None:
            parent = earlier.get(question.parent)
            if parent is None:
                later = question.parent in all_variables
                out.add(
                    question.number,
                    f"följdfråga till {question.parent!r}, som "
                    + ("kommer senare i enkäten" if later else "inte finns i enkäten"),
                )
            elif not re.fullmatch(
                re.escape(parent.number) + "[a-z]{1,2}", question.number
            ):
                out.add(
                    question.number,
                    f"en följdfråga till {parent.number} ska numreras {parent.number}a, "
                    f"{parent.number}b …",
                )
        if question.show_if is not None:
            for message in condition_problems(question.show_if, earlier, all_variables):
                out.add(question.number, message)
        if question.percentage_question is not None:
            linked = questionnaire.question(question.percentage_question)
            if linked is None:
                out.add(
                    question.number,
                    f"plausibility: percentage_question {question.percentage_question!r} "
                    "finns inte i enkäten",
                )
            elif not facts(linked.kind).percentage:
                out.add(
                    question.number,
                    f"plausibility: fråga {linked.number} är inte en andelsfråga "
                    "(percentage)",
                )
        if (
            question.kind in RSS_AGGREGATE_KINDS
            and questionnaire.audience != OrganisationKind.RSS
        ):
            out.add(
                question.number, f"{question.kind.value} får bara finnas i RSS-enkäter"
            )
        earlier[question.variable] = question
    return out.problems


def _number_of(questionnaire: QuestionnaireDef, variable: str) -> str:
    question = questionnaire.question(variable)
    return question.number if question else variable


def condition_problems(
    condition: Any, earlier: Mapping[str, QuestionDef], all_variables: set[str]
) -> list[str]:
    """Why a display condition is invalid, given the questions that come before it."""
    try:
        parsed = conditions.parse(condition)
    except conditions.ConditionError as error:
        return [error.message]
    found: list[str] = []
    for leaf in conditions.leaves(parsed):
        target = earlier.get(leaf.question)
        if target is None:
            if leaf.question in all_variables:
                found.append(
                    f"villkoret gäller {leaf.question}, som kommer senare i enkäten"
                )
            else:
                found.append(
                    f"villkoret gäller {leaf.question}, som inte finns i enkäten"
                )
            continue
        found += conditions.problems(leaf, target)
    return found


def validate_cycle(cycle: CycleDef) -> list[Problem]:
    """Cross-file rules: RSS aggregate and summary questions and their sources."""
    problems: list[Problem] = []
    _keys = [q.key for q in cycle.questionnaires]
    for key in {k for k in _keys if _keys.count(k) > 1}:
        problems.append(Problem(cycle.file, "", f"två enkäter har nyckeln {key!r}"))
    for questionnaire in cycle.questionnaires:
        for question in questionnaire.questions:
            if question.source_question is None:
                continue
            ref = question.source_question
            source_questionnaire = cycle.questionnaire(ref.questionnaire)
            where = question.number
            if source_questionnaire is None:
                problems.append(
                    Problem(
                        questionnaire.file,
                        where,
                        f"källenkäten {ref.questionnaire!r} finns inte i omgången",
                    )
                )
                continue
            if source_questionnaire.audience != OrganisationKind.KOMMUN:
                problems.append(
                    Problem(
                        questionnaire.file,
                        where,
                        f"källenkäten {ref.questionnaire!r} går inte till kommuner",
                    )
                )
                continue
            source = source_questionnaire.question(ref.variable)
            if source is None:
                problems.append(
                    Problem(
                        questionnaire.file,
                        where,
                        f"kommunfrågan {ref.variable!r} finns inte i {source_questionnaire.file}",
                    )
                )
                continue
            if facts(question.kind).kommun_counts and source.kind not in CLOSED_KINDS:
                problems.append(
                    Problem(
                        questionnaire.file,
                        where,
                        f"kommunfrågan {source.number} ({source.kind.value}) har inga "
                        "svarsalternativ att räkna",
                    )
                )
            if facts(question.kind).text_summary and source.kind not in FREE_TEXT_KINDS:
                problems.append(
                    Problem(
                        questionnaire.file,
                        where,
                        f"kommunfrågan {source.number} är inte en fritextfråga",
                    )
                )
    return problems


def lineage_problems(
    cycle: CycleDef, previous: Sequence[PreviousQuestion]
) -> list[Problem]:
    """Compare a cycle with earlier ones, questionnaire key by key.

    A lineage key ties a question to the same question in earlier cycles; its kind
    may never change under the same key (the time series would silently mix
    answer types). When the immediately preceding year is known, `comparability`
    must agree with whether the key existed there.
    """
    problems: list[Problem] = []
    for questionnaire in cycle.questionnaires:
        earlier = [
            p
            for p in previous
            if p.questionnaire_key == questionnaire.key and p.year < cycle.year
        ]
        latest_by_lineage: dict[str, PreviousQuestion] = {}
        for earlier_question in sorted(earlier, key=lambda p: p.year):
            latest_by_lineage[earlier_question.lineage_key] = earlier_question
        preceding_year = {p.lineage_key for p in earlier if p.year == cycle.year - 1}
        has_preceding_year = any(p.year == cycle.year - 1 for p in earlier)
        for question in questionnaire.questions:
            prev = latest_by_lineage.get(question.lineage_key)
            if prev is not None and prev.kind != question.kind.value:
                problems.append(
                    Problem(
                        questionnaire.file,
                        question.number,
                        f"linjenyckeln {question.lineage_key!r} var av typen {prev.kind} "
                        f"{prev.year} ({prev.variable}) men är {question.kind.value} nu; "
                        "en ny typ kräver en ny linjenyckel",
                    )
                )
            if not has_preceding_year:
                continue
            existed = question.lineage_key in preceding_year
            if existed and question.comparability == Comparability.NEW:
                problems.append(
                    Problem(
                        questionnaire.file,
                        question.number,
                        f"comparability är new men linjenyckeln {question.lineage_key!r} "
                        f"fanns {cycle.year - 1}",
                    )
                )
            if not existed and question.comparability != Comparability.NEW:
                problems.append(
                    Problem(
                        questionnaire.file,
                        question.number,
                        f"comparability är {question.comparability} men linjenyckeln "
                        f"{question.lineage_key!r} fanns inte {cycle.year - 1}",
                    )
                )
    return problems
