"""Writes to the questionnaires (docs/conventions.md §2): the loader that turns the
validated definition files (surveys.definitions) into rows.

The loader is idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from surveys.definitions.files import read_cycle_directory
from surveys.definitions.footnotes import questionnaire_footnotes
from surveys.definitions.records import (
    Choice,
    CycleDef,
    DefinitionError,
    PreviousQuestion,
    Problem,
    QuestionDef,
    QuestionnaireDef,
)
from surveys.definitions.validation import lineage_problems
from surveys.kinds import facts
from surveys.models.questionnaires import (
    Cycle,
    MatrixRow,
    Option,
    Question,
    Questionnaire,
    Section,
)
from surveys.models.register import (
    OrganisationKind,
)
from surveys.selectors import previous_questions

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "questionnaires"


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_definitions(directory: Path = DEFINITIONS_DIR) -> list[CycleDef]:
    """Parse and validate every cycle directory; raises DefinitionError listing all problems."""
    cycles: list[CycleDef] = []
    problems: list[Problem] = []
    for cycle_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        try:
            cycles.append(
                read_cycle_directory(cycle_dir, display_root=directory.parent)
            )
        except DefinitionError as exc:
            problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    return sorted(cycles, key=lambda c: c.year)


def load_questionnaires(directory: Path = DEFINITIONS_DIR) -> LoadReport:
    """Validate every definition file, then load them all in one transaction.

    Nothing is written unless every file is valid, including the lineage check
    against cycles already in the database and earlier cycles in the same run.
    """
    cycles = read_definitions(directory)
    problems: list[Problem] = []
    known = previous_questions()
    # The files win for the cycles they define; the database adds cycles whose
    # files are no longer in the repository.
    batch_years = {c.year for c in cycles}
    earlier = [p for p in known if p.year not in batch_years] + _as_previous(cycles)
    for cycle in cycles:
        problems += lineage_problems(cycle, earlier)
    if problems:
        raise DefinitionError(problems)
    return _write_cycles(cycles, earlier)


def _as_previous(cycles: Iterable[CycleDef]) -> list[PreviousQuestion]:
    return [
        PreviousQuestion(
            year=cycle.year,
            questionnaire_key=questionnaire.key,
            lineage_key=question.lineage_key,
            kind=question.kind.value,
            variable=question.variable,
            content=questionnaire.content_of(question),
        )
        for cycle in cycles
        for questionnaire in cycle.questionnaires
        for question in questionnaire.questions
    ]


@transaction.atomic
def _write_cycles(
    cycles: list[CycleDef], previous: list[PreviousQuestion]
) -> LoadReport:
    report = LoadReport()
    for cycle_def in cycles:
        cycle, _ = Cycle.objects.update_or_create(
            year=cycle_def.year,
            defaults={
                "name": cycle_def.name,
                "reference_period": cycle_def.reference_period,
                "description": cycle_def.description,
            },
        )
        # Kommun questionnaires first: RSS questions point into them.
        ordered = sorted(
            cycle_def.questionnaires,
            key=lambda q: q.audience != OrganisationKind.KOMMUN,
        )
        for questionnaire_def in ordered:
            existing = Questionnaire.objects.filter(
                cycle=cycle, key=questionnaire_def.key
            ).first()
            footnotes = questionnaire_footnotes(
                questionnaire_def, year=cycle.year, previous=previous
            )
            # An unchanged file keeps its rows, unless a cycle loaded since has
            # changed the year a comparability footnote names.
            if (
                existing is not None
                and existing.content_hash == questionnaire_def.content_hash
                and _footnotes_stored(existing) == footnotes
            ):
                report.unchanged.append(questionnaire_def.file)
                continue
            write_questionnaire(cycle, questionnaire_def, existing, footnotes)
            report.loaded.append(questionnaire_def.file)
    return report


def _footnotes_stored(questionnaire: Questionnaire) -> dict[str, list[str]]:
    return dict(questionnaire.questions.values_list("variable", "footnotes"))


def write_questionnaire(
    cycle: Cycle,
    definition: QuestionnaireDef,
    existing: Questionnaire | None,
    footnotes: dict[str, list[str]],
) -> None:
    values = {
        "audience": definition.audience.value,
        "is_supplementary": definition.supplementary,
        "title": definition.title,
        "intro": definition.intro,
        "version": definition.version,
        "opens_on": definition.opens_on,
        "closes_on": definition.closes_on,
        "source_file": definition.file,
        "content_hash": definition.content_hash,
    }
    if existing is None:
        questionnaire = Questionnaire(cycle=cycle, key=definition.key, **values)
        questionnaire.full_clean()
        questionnaire.save()
    else:
        questionnaire = existing
        for name, value in values.items():
            setattr(questionnaire, name, value)
        questionnaire.full_clean()
        questionnaire.save(update_fields=[*values, "loaded_at"])

    sections: dict[str, Section] = {}
    for section_def in definition.sections:
        section, _ = Section.objects.update_or_create(
            questionnaire=questionnaire,
            key=section_def.key,
            defaults={
                "position": section_def.position,
                "title": section_def.title,
                "intro": section_def.intro,
            },
        )
        sections[section.key] = section

    existing_questions = {q.variable: q for q in questionnaire.questions.all()}
    answered = set(
        questionnaire.questions.filter(answers__isnull=False)
        .values_list("variable", flat=True)
        .distinct()
    )
    problems: list[Problem] = []
    saved: dict[str, Question] = {}
    for question_def in definition.questions:
        current = existing_questions.get(question_def.variable)
        if (
            current is not None
            and current.kind != question_def.kind
            and current.variable in answered
        ):
            problems.append(
                Problem(
                    definition.file,
                    question_def.number,
                    f"frågan har svar som {current.kind}; typen kan inte ändras till "
                    f"{question_def.kind.value}",
                )
            )
            continue
        saved[question_def.variable] = _write_question(
            questionnaire,
            sections[question_def.section_key],
            question_def,
            current,
            saved,
            footnotes=footnotes[question_def.variable],
        )
    # A count's percentage question may come before or after it in the file, so
    # the links are set once every question of the file is saved.
    for question_def in definition.questions:
        linked = question_def.percentage_question
        question = saved.get(question_def.variable)
        if question is None:
            continue
        target = saved.get(linked) if linked else None
        if question.percentage_question_id != (target.pk if target else None):
            question.percentage_question = target
            question.save(update_fields=["percentage_question"])
    kept = {q.variable for q in definition.questions}
    for variable, question in existing_questions.items():
        if variable in kept:
            continue
        if variable in answered:
            problems.append(
                Problem(
                    definition.file,
                    question.number,
                    f"{variable} har svar och kan inte tas bort",
                )
            )
            continue
        question.delete()
    if problems:
        raise DefinitionError(problems)
    questionnaire.sections.exclude(key__in=sections).delete()


def _write_question(
    questionnaire: Questionnaire,
    section: Section,
    definition: QuestionDef,
    current: Question | None,
    saved: dict[str, Question],
    *,
    footnotes: list[str],
) -> Question:
    source = None
    if definition.source_question is not None:
        source = Question.objects.get(
            questionnaire__cycle=questionnaire.cycle,
            questionnaire__key=definition.source_question.questionnaire,
            variable=definition.source_question.variable,
        )
    values: dict[str, Any] = {
        "section": section,
        "position": definition.position,
        "number": definition.number,
        "parent": saved[definition.parent] if definition.parent else None,
        "kind": definition.kind.value,
        "text": definition.text,
        "help_text": definition.help_text,
        "label": definition.label,
        "required": definition.required,
        "condition": definition.show_if,
        "escape_label": definition.escape_label,
        "min_value": definition.min_value,
        "max_value": definition.max_value,
        "unit": definition.unit,
        "max_length": definition.max_length,
        "national_figure": definition.national_figure,
        "reference_period": definition.reference_period,
        "reference_text": definition.reference_text,
        "reconstructed": definition.reconstructed,
        "source_note": definition.source_note,
        "lineage_key": definition.lineage_key,
        "comparability": definition.comparability,
        "source_question": source,
        "counts_population": definition.counts_population,
        "footnotes": footnotes,
        "base_convention": definition.base_convention,
    }
    if current is None:
        question = Question(
            questionnaire=questionnaire, variable=definition.variable, **values
        )
    else:
        question = current
        for name, value in values.items():
            setattr(question, name, value)
    question.full_clean(validate_unique=False)
    question.save()

    options = list(definition.options)
    rows = list(definition.rows)
    if facts(definition.kind).kommun_counts and source is not None:
        # The RSS counts kommuner per alternative of the kommun question: it owns a
        # copy of the source's options and rows, with the same codes.
        options = [Choice(o.code, o.label, o.is_other) for o in source.options.all()]
        rows = [Choice(r.code, r.label) for r in source.rows.all()]
    _sync_choices(question, Option, options, "options", definition)
    _sync_choices(question, MatrixRow, rows, "rows", definition)
    return question


def _sync_choices(
    question: Question,
    model: type[Option] | type[MatrixRow],
    choices: list[Choice],
    what: str,
    definition: QuestionDef,
) -> None:
    codes = []
    for position, choice in enumerate(choices, start=1):
        defaults: dict[str, Any] = {"position": position, "label": choice.label}
        if model is Option:
            defaults["is_other"] = choice.is_other
        model.objects.update_or_create(
            question=question, code=choice.code, defaults=defaults
        )
        codes.append(choice.code)
    stale = model.objects.filter(question=question).exclude(code__in=codes)
    try:
        stale.delete()
    except ProtectedError as exc:
        gone = ", ".join(sorted({str(getattr(o, "code", o)) for o in stale}))
        raise DefinitionError(
            [
                Problem(
                    "",
                    definition.number,
                    f"{what} {gone} har svar och kan inte tas bort",
                )
            ]
        ) from exc
