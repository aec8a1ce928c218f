"""The next cycle from the current one, and the edits of its questionnaires
before they open (issue #19; docs/conventions.md §2).

Both go the way of a definition file: the stored definition is read as records
(surveys.stored_definitions), changed (surveys.definitions.copying, .editing),
written out and parsed again (so every rule of the file format applies, with
its Swedish messages), checked against the earlier cycles' lineage, and
written by the loader's own writer. The content hash is that of the file
`definition_file` gives, so a downloaded file committed to the repository
loads as unchanged. Each change is recorded as a DefinitionChange with its
actor; an edit is refused when someone else changed the questionnaire since
the page was read (its content hash is the optimistic lock).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.definitions.copying import copied_cycle, next_year_date
from surveys.definitions.dumping import dump_cycle, dump_questionnaire
from surveys.definitions.editing import derived_comparability
from surveys.definitions.footnotes import questionnaire_footnotes
from surveys.definitions.parsing import parse_questionnaire
from surveys.definitions.records import (
    CycleDef,
    DefinitionError,
    PreviousQuestion,
    Problem,
    QuestionnaireDef,
)
from surveys.definitions.validation import lineage_problems, validate_cycle
from surveys.errors import DomainError
from surveys.formatting import swedish_date
from surveys.kinds import QuestionKind
from surveys.models.lifecycle import DefinitionChange
from surveys.models.questionnaires import (
    Cycle,
    Questionnaire,
    QuestionnaireState,
)
from surveys.models.register import OrganisationKind
from surveys.models.users import User
from surveys.selectors import previous_questions
from surveys.services.questionnaires import DEFINITIONS_DIR, write_questionnaire
from surveys.stored_definitions import stored_cycle, stored_definitions

STAFF_ONLY = "Bara Socialstyrelsen kan skapa omgångar och ändra enkäter."
FILE_HEADER = (
    "Written from the definition stored in the service (docs/questionnaire-format.md)."
)
CONFLICT = (
    "Någon annan har ändrat enkäten sedan du öppnade sidan. Läs in sidan igen och "
    "gör ändringen på nytt; det du skrev visas nedan."
)


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise DomainError(STAFF_ONLY)


def definition_file(questionnaire: QuestionnaireDef) -> str:
    """The file of a questionnaire: what staff download and commit, and whose
    SHA-256 is the stored content hash."""
    return dump_questionnaire(questionnaire, header=FILE_HEADER)


def cycle_file(cycle: CycleDef) -> str:
    return dump_cycle(cycle, header=FILE_HEADER)


def _reparsed(questionnaire: QuestionnaireDef) -> QuestionnaireDef:
    """The questionnaire as its file parses, with the file's hash; every problem
    the file would have is raised as Swedish messages."""
    text = definition_file(questionnaire)
    parsed, problems = parse_questionnaire(
        yaml.safe_load(text),
        file=questionnaire.file,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    if problems or parsed is None:
        raise ValidationError([_message(p) for p in problems])
    return parsed


# The loader's messages name the file's keys and kind values, as a file's author
# writes them; staff editing on the page know the fields by their labels instead
# (surveys/definition_forms.py). "text" is also a kind and a Swedish word, so it is
# read as the key only where a message starts with it.
PAGE_WORDS = {
    "variable": "«Variabelnamn»",
    "options": "«Svarsalternativ»",
    "rows": "«Delfrågor»",
    "label": "«Publiceringsetikett»",
    **{
        kind.value: f"«{kind.label}»"
        for kind in QuestionKind
        if kind != QuestionKind.TEXT
    },
}
_PAGE_WORD = re.compile(r"\b(" + "|".join(map(re.escape, PAGE_WORDS)) + r")\b")
_TEXT_KEY = re.compile(r"^text (?=saknas|ska )")


def page_wording(message: str) -> str:
    """A loader message in the words of the editing page's fields."""
    message = _TEXT_KEY.sub("«Frågetext» ", message)
    return _PAGE_WORD.sub(lambda m: PAGE_WORDS[m.group(1)], message)


def _message(problem: Problem) -> str:
    message = page_wording(problem.message)
    return (
        f"Fråga {problem.question}: {message}"
        if problem.question
        else (message[:1].upper() + message[1:])
    )


def _checked(cycle: CycleDef, previous: list[PreviousQuestion]) -> None:
    problems = validate_cycle(cycle) + lineage_problems(cycle, previous)
    if problems:
        raise ValidationError([_message(p) for p in problems])


def _write(
    cycle: Cycle,
    definitions: list[QuestionnaireDef],
    existing: dict[str, Questionnaire],
    previous: list[PreviousQuestion],
) -> dict[str, Questionnaire]:
    # Kommun questionnaires first: RSS questions point into them.
    written = {}
    for definition in sorted(
        definitions, key=lambda d: d.audience != OrganisationKind.KOMMUN
    ):
        footnotes = questionnaire_footnotes(
            definition, year=cycle.year, previous=previous
        )
        try:
            write_questionnaire(
                cycle, definition, existing.get(definition.key), footnotes
            )
        except DefinitionError as exc:
            raise ValidationError([_message(p) for p in exc.problems]) from exc
        written[definition.key] = Questionnaire.objects.get(
            cycle=cycle, key=definition.key
        )
    return written


def _record(
    questionnaire: Questionnaire,
    kind: DefinitionChange.Kind,
    *,
    actor: User,
    number: str = "",
    variable: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    change = DefinitionChange(
        questionnaire=questionnaire,
        kind=kind,
        number=number,
        variable=variable,
        before=before or {},
        after=after or {},
        actor=actor,
    )
    change.full_clean()
    change.save()


def first_opening(cycle: Cycle) -> datetime.date | None:
    """The day the next cycle's first questionnaire opens unless staff choose
    another: the earliest opening of `cycle`, one year on."""
    earliest = min((q.opens_on for q in cycle.questionnaires.all()), default=None)
    return next_year_date(earliest) if earliest is not None else None


def _scheduled(copy: CycleDef, opens_on: datetime.date | None) -> CycleDef:
    """The copy's dates moved together so its first questionnaire opens on
    `opens_on` (each keeps its distance to the others and to its deadline)."""
    first = min(q.opens_on for q in copy.questionnaires)
    shift = (opens_on - first) if opens_on is not None else datetime.timedelta()
    return replace(
        copy,
        questionnaires=tuple(
            replace(q, opens_on=q.opens_on + shift, closes_on=q.closes_on + shift)
            for q in copy.questionnaires
        ),
    )


@transaction.atomic
def create_next_cycle(
    cycle: Cycle,
    *,
    actor: User,
    opens_on: datetime.date | None = None,
) -> Cycle:
    """Cycle year+1 with every questionnaire of `cycle` copied: sections,
    questions, alternatives, sub-items, conditions and lineage keys, under
    preparation. Dates one year on, or all moved together so that the first
    questionnaire opens on `opens_on`; that day must be after today, so that
    respondents never see a copy staff have not reviewed. The register needs
    no copy: memberships carry their validity years (surveys.models.register)."""
    _require_staff(actor)
    year = cycle.year + 1
    if Cycle.objects.select_for_update().filter(year=year).exists():
        raise DomainError(f"Omgång {year} finns redan. Den skapas bara en gång.")
    newest = Cycle.objects.order_by("-year").first()
    if newest is not None and newest.year != cycle.year:
        raise DomainError(
            f"Nästa omgång skapas från den senaste omgången ({newest.year}), "
            f"inte från {cycle.year}."
        )
    source = stored_cycle(cycle)
    if not source.questionnaires:
        raise DomainError(f"Omgång {cycle.year} har inga enkäter att kopiera.")
    copy = copied_cycle(source)
    copy = _scheduled(copy, opens_on)
    first = min(q.opens_on for q in copy.questionnaires)
    if first <= timezone.localdate():
        raise ValidationError(
            {
                "opens_on": [
                    f"Den första enkäten skulle öppna {swedish_date(first)}, som "
                    "inte är efter i dag. Välj en senare dag: enkäterna ska vara "
                    "under förberedelse tills de har granskats."
                ]
            }
        )
    copy = replace(
        copy, questionnaires=tuple(_reparsed(q) for q in copy.questionnaires)
    )
    previous = previous_questions()
    _checked(copy, previous)
    new_cycle = Cycle(
        year=copy.year,
        name=copy.name,
        reference_period=copy.reference_period,
        description=copy.description,
    )
    new_cycle.full_clean()
    new_cycle.save()
    written = _write(new_cycle, list(copy.questionnaires), {}, previous)
    for key in sorted(written):
        _record(
            written[key],
            DefinitionChange.Kind.COPIED,
            actor=actor,
            after={"från": cycle.year},
        )
    return new_cycle


def editable_problem(questionnaire: Questionnaire) -> str:
    """Why a questionnaire cannot be edited in the service, or ''."""
    if questionnaire.state != QuestionnaireState.PREPARATION:
        return (
            f"{questionnaire.title} är {questionnaire.state.label.lower()}: frågorna "
            "kan bara ändras medan enkäten är under förberedelse."
        )
    if questionnaire.responses.exists():
        return f"{questionnaire.title} har redan svar: frågorna kan inte ändras."
    return ""


Edit = Callable[[QuestionnaireDef], QuestionnaireDef]


@transaction.atomic
def edit_questionnaire(
    given: Questionnaire,
    edit: Edit,
    *,
    seen_hash: str,
    actor: User,
    change: DefinitionChange.Kind,
    question: tuple[str, str],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Questionnaire:
    """Apply `edit` (surveys.definitions.editing) to a questionnaire under
    preparation and record it as `change` of `question` (number, variable).

    Refused in Swedish: not staff, not under preparation or with responses,
    changed by someone else since `seen_hash` was read, or an edit the file
    format refuses. The edited questions' `comparability` is derived from the
    facts against the previous cycle, and their footnotes with it."""
    _require_staff(actor)
    questionnaire = (
        Questionnaire.objects.select_for_update()
        .select_related("cycle")
        .get(pk=given.pk)
    )
    if questionnaire.content_hash != seen_hash:
        raise DomainError(CONFLICT)
    problem = editable_problem(questionnaire)
    if problem:
        raise DomainError(problem)
    cycle = questionnaire.cycle
    siblings = list(cycle.questionnaires.all())
    definitions = stored_definitions(siblings)
    previous = previous_questions()
    edited = edit(definitions[questionnaire.pk])
    edited = _with_derived_comparability(
        edited, previous, year=cycle.year, touched=question[1]
    )
    edited = _reparsed(edited)
    others = [definitions[q.pk] for q in siblings if q.pk != questionnaire.pk]
    _checked(
        CycleDef(
            file="",
            year=cycle.year,
            name=cycle.name,
            reference_period=cycle.reference_period,
            description=cycle.description,
            questionnaires=(edited, *others),
        ),
        previous,
    )
    # An RSS count copies its kommun question's alternatives: the questionnaires
    # that point into this one are written again after it.
    dependants = [
        definitions[q.pk]
        for q in siblings
        if q.pk != questionnaire.pk
        and any(
            d.source_question is not None
            and d.source_question.questionnaire == questionnaire.key
            for d in definitions[q.pk].questions
        )
    ]
    for dependant in dependants:
        other = next(q for q in siblings if q.key == dependant.key)
        problem = editable_problem(other)
        if problem:
            raise DomainError(
                f"{problem} Den räknar svaren på frågorna i {questionnaire.title}."
            )
    existing = {q.key: q for q in siblings}
    written = _write(cycle, [edited, *dependants], existing, previous)
    _record(
        written[questionnaire.key],
        change,
        actor=actor,
        number=question[0],
        variable=question[1],
        before=before,
        after=after,
    )
    given.content_hash = written[questionnaire.key].content_hash
    return written[questionnaire.key]


def _with_derived_comparability(
    questionnaire: QuestionnaireDef,
    previous: list[PreviousQuestion],
    *,
    year: int,
    touched: str,
) -> QuestionnaireDef:
    earlier: dict[str, PreviousQuestion] = {}
    for candidate in previous:
        if candidate.questionnaire_key != questionnaire.key or candidate.year >= year:
            continue
        known = earlier.get(candidate.lineage_key)
        if known is None or candidate.year > known.year:
            earlier[candidate.lineage_key] = candidate
    questions = []
    for question in questionnaire.questions:
        if question.variable == touched:
            before = earlier.get(question.lineage_key)
            comparability = derived_comparability(
                questionnaire.content_of(question),
                before.content if before is not None else None,
                year=year,
                previous_year=before.year if before is not None else None,
            )
            question = replace(question, comparability=comparability)
        questions.append(question)
    return replace(questionnaire, questions=tuple(questions))


def write_definition_files(
    cycle: Cycle, directory: Path = DEFINITIONS_DIR, *, overwrite: bool = False
) -> list[Path]:
    """The cycle's stored definitions as files in `<directory>/<year>/`, so the
    file route works for a cycle created or edited here. Refuses to overwrite
    existing files unless told to."""
    target = directory / str(cycle.year)
    definition = stored_cycle(cycle)
    files = {target / "cycle.yaml": cycle_file(definition)}
    for questionnaire in definition.questionnaires:
        files[target / f"{questionnaire.key}.yaml"] = definition_file(questionnaire)
    existing = [path for path in files if path.exists()]
    if existing and not overwrite:
        raise DomainError(
            "Filerna finns redan: "
            + ", ".join(str(p) for p in existing)
            + ". Ange --overwrite för att skriva över dem."
        )
    target.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
