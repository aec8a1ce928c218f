"""Parse and validate questionnaire definition files (docs/questionnaire-format.md).

Pure functions over YAML data: nothing here touches the database, so every rule
can be tested on small dictionaries. `surveys.services.load_questionnaires` turns
the validated definitions into rows.

Problems are collected rather than raised one at a time, so that a reviewer sees
every problem of a file in one run. Messages are Swedish: staff read them.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from surveys import conditions
from surveys.kinds import (
    CLOSED_KINDS,
    FREE_TEXT_KINDS,
    IMPLICIT_OPTION_KINDS,
    LISTED_OPTION_KINDS,
    NUMBER_KINDS,
    PRESET_OPTIONS,
    RSS_AGGREGATE_KINDS,
    TYPED_TEXT_KINDS,
    QuestionKind,
    facts,
)
from surveys.models import (
    Comparability,
    NationalFigure,
    OrganisationKind,
    ReferencePeriod,
)

NUMBER_RE = re.compile(r"^[0-9]+[a-z]{0,2}$")
VARIABLE_RE = re.compile(r"^[a-z][a-z0-9_]{0,17}$")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,11}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
# Questionnaire.key is a 40-character column.
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

DEFAULT_TEXT_MAX_LENGTH = 4000

CYCLE_FIELDS = {"year", "name", "reference_period", "description"}
QUESTIONNAIRE_FIELDS = {
    "key",
    "audience",
    "supplementary",
    "title",
    "intro",
    "version",
    "opens_on",
    "closes_on",
    "reference_period",
    "sections",
}
SECTION_FIELDS = {"key", "title", "intro", "questions"}
QUESTION_FIELDS = {
    "number",
    "variable",
    "kind",
    "text",
    "label",
    "help_text",
    "required",
    "parent",
    "show_if",
    "options",
    "rows",
    "escape",
    "min",
    "max",
    "unit",
    "max_length",
    "national_figure",
    "reference_period",
    "reference_text",
    "reconstructed",
    "source",
    "lineage",
    "comparability",
    "source_question",
    "plausibility",
}
PLAUSIBILITY_FIELDS = {"counts", "percentage_question"}


@dataclass(frozen=True)
class Problem:
    file: str
    question: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.question:
            where += f", fråga {self.question}"
        return f"{where}: {self.message}"


class DefinitionError(Exception):
    """Raised with every problem found; nothing has been loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    is_other: bool = False


@dataclass(frozen=True)
class SourceRef:
    questionnaire: str
    variable: str


@dataclass(frozen=True)
class QuestionDef:
    section_key: str
    position: int
    number: str
    variable: str
    kind: QuestionKind
    text: str
    label: str
    help_text: str
    required: bool
    parent: str | None
    show_if: dict[str, Any] | None
    options: tuple[Choice, ...]
    rows: tuple[Choice, ...]
    escape_label: str
    min_value: Decimal | None
    max_value: Decimal | None
    unit: str
    max_length: int | None
    national_figure: str
    reference_period: str
    reference_text: str
    reconstructed: bool
    source_note: str
    lineage_key: str
    comparability: str
    source_question: SourceRef | None
    # Declared plausibility checks (surveys/plausibility.py): the count is of
    # persons in the organisation's population; the percentage question that
    # gives the same figure as a share.
    counts_population: bool = False
    percentage_question: str | None = None


@dataclass(frozen=True)
class SectionDef:
    key: str
    position: int
    title: str
    intro: str


@dataclass(frozen=True)
class QuestionnaireDef:
    file: str
    key: str
    audience: OrganisationKind
    supplementary: bool
    title: str
    intro: str
    version: int
    opens_on: datetime.date
    closes_on: datetime.date
    sections: tuple[SectionDef, ...]
    questions: tuple[QuestionDef, ...]
    content_hash: str

    def question(self, variable: str) -> QuestionDef | None:
        for question in self.questions:
            if question.variable == variable:
                return question
        return None


@dataclass(frozen=True)
class CycleDef:
    file: str
    year: int
    name: str
    reference_period: str
    description: str
    questionnaires: tuple[QuestionnaireDef, ...] = field(default=())

    def questionnaire(self, key: str) -> QuestionnaireDef | None:
        for questionnaire in self.questionnaires:
            if questionnaire.key == key:
                return questionnaire
        return None


@dataclass(frozen=True)
class PreviousQuestion:
    """What the lineage check needs to know of a question in an earlier cycle."""

    year: int
    questionnaire_key: str
    lineage_key: str
    kind: str
    variable: str


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, question: str, message: str) -> None:
        self.problems.append(Problem(self.file, question, message))


# --- reading files ----------------------------------------------------------------


def read_cycle_directory(
    directory: Path, *, display_root: Path | None = None
) -> CycleDef:
    """Parse `cycle.yaml` and every other `*.yaml` in a cycle directory.

    Raises DefinitionError with every problem in the directory's files, including
    cross-file ones (aggregate questions pointing into kommun questionnaires).
    """
    root = display_root or directory.parent
    problems: list[Problem] = []
    cycle_path = directory / "cycle.yaml"
    cycle_name = _display(cycle_path, root)
    if not cycle_path.exists():
        raise DefinitionError([Problem(cycle_name, "", "filen saknas")])
    cycle_data, cycle_problems = _load_yaml(cycle_path, root)
    problems += cycle_problems
    questionnaires: list[QuestionnaireDef] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "cycle.yaml":
            continue
        data, file_problems = _load_yaml(path, root)
        problems += file_problems
        if data is None:
            continue
        questionnaire, q_problems = parse_questionnaire(
            data, file=_display(path, root), content_hash=_hash(path)
        )
        problems += q_problems
        if questionnaire is not None:
            questionnaires.append(questionnaire)
    cycle: CycleDef | None = None
    if cycle_data is not None:
        cycle, c_problems = parse_cycle(cycle_data, file=cycle_name)
        problems += c_problems
    if cycle is not None:
        if str(cycle.year) != directory.name:
            problems.append(
                Problem(
                    cycle_name,
                    "",
                    f"året {cycle.year} stämmer inte med mappen {directory.name}",
                )
            )
        cycle = CycleDef(
            file=cycle.file,
            year=cycle.year,
            name=cycle.name,
            reference_period=cycle.reference_period,
            description=cycle.description,
            questionnaires=tuple(questionnaires),
        )
        problems += validate_cycle(cycle)
    if problems:
        raise DefinitionError(problems)
    assert cycle is not None  # noqa: S101 - no problems implies a parsed cycle
    return cycle


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_yaml(path: Path, root: Path) -> tuple[Any, list[Problem]]:
    name = _display(path, root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [Problem(name, "", f"filen går inte att läsa som YAML: {exc}")]
    except UnicodeDecodeError:
        return None, [Problem(name, "", "filen är inte UTF-8")]
    if not isinstance(data, dict):
        return None, [Problem(name, "", "filen ska innehålla en mappning på toppnivå")]
    return data, []


# --- parsing ------------------------------------------------------------------


def parse_cycle(
    data: Mapping[str, Any], *, file: str
) -> tuple[CycleDef | None, list[Problem]]:
    out = _Collector(file)
    _unknown_fields(out, "", data, CYCLE_FIELDS)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        out.add("", "year ska vara ett årtal, t.ex. 2024")
        return None, out.problems
    name = _required_text(out, "", data, "name", 200)
    reference_period = _required_text(out, "", data, "reference_period", 200)
    if out.problems:
        return None, out.problems
    cycle = CycleDef(
        file=file,
        year=year,
        name=name,
        reference_period=reference_period,
        description=_optional_text(out, "", data, "description"),
    )
    return cycle, out.problems


def parse_questionnaire(
    data: Mapping[str, Any], *, file: str, content_hash: str = ""
) -> tuple[QuestionnaireDef | None, list[Problem]]:
    out = _Collector(file)
    _unknown_fields(out, "", data, QUESTIONNAIRE_FIELDS)
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        out.add("", "key ska vara en kort nyckel med a–z, 0–9, - och _ (t.ex. region)")
    audience = data.get("audience")
    if audience not in OrganisationKind.values:
        out.add("", f"audience ska vara en av {', '.join(OrganisationKind.values)}")
    title = _required_text(out, "", data, "title", 300)
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        out.add("", "version ska vara ett heltal från 1")
    opens_on = _date(out, data, "opens_on")
    closes_on = _date(out, data, "closes_on")
    if opens_on and closes_on and closes_on < opens_on:
        out.add("", "closes_on ligger före opens_on")
    supplementary = data.get("supplementary", False)
    if not isinstance(supplementary, bool):
        out.add("", "supplementary ska vara true eller false")
    default_period = data.get("reference_period", ReferencePeriod.CALENDAR_YEAR)
    if default_period not in ReferencePeriod.values:
        out.add(
            "", f"reference_period ska vara en av {', '.join(ReferencePeriod.values)}"
        )
        default_period = ReferencePeriod.CALENDAR_YEAR

    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        out.add("", "sections ska vara en lista med minst ett avsnitt")
        sections_data = []
    sections: list[SectionDef] = []
    questions: list[QuestionDef] = []
    for section_index, section_data in enumerate(sections_data, start=1):
        if not isinstance(section_data, dict):
            out.add("", f"avsnitt {section_index} ska vara en mappning")
            continue
        _unknown_fields(
            out, "", section_data, SECTION_FIELDS, prefix=f"avsnitt {section_index}: "
        )
        section_key = section_data.get("key")
        if not isinstance(section_key, str) or not SLUG_RE.match(section_key):
            out.add("", f"avsnitt {section_index}: key saknas eller är ogiltig")
            section_key = f"avsnitt-{section_index}"
        sections.append(
            SectionDef(
                key=section_key,
                position=section_index,
                title=_required_text(out, "", section_data, "title", 300),
                intro=_optional_text(out, "", section_data, "intro"),
            )
        )
        question_list = section_data.get("questions")
        if not isinstance(question_list, list) or not question_list:
            out.add(
                "",
                f"avsnitt {section_key}: questions ska vara en lista med minst en fråga",
            )
            continue
        for question_data in question_list:
            question = _parse_question(
                out,
                question_data,
                section_key=section_key,
                position=len(questions) + 1,
                default_period=str(default_period),
            )
            if question is not None:
                questions.append(question)

    _check_unique(out, [s.key for s in sections], "avsnittsnyckeln", lambda _k: "")
    if out.problems or not isinstance(key, str) or not isinstance(audience, str):
        return None, out.problems
    assert opens_on is not None and closes_on is not None  # noqa: S101 - checked above
    questionnaire = QuestionnaireDef(
        file=file,
        key=key,
        audience=OrganisationKind(audience),
        supplementary=bool(supplementary),
        title=title,
        intro=_optional_text(out, "", data, "intro"),
        version=int(version),
        opens_on=opens_on,
        closes_on=closes_on,
        sections=tuple(sections),
        questions=tuple(questions),
        content_hash=content_hash,
    )
    out.problems += validate_questionnaire(questionnaire)
    return (questionnaire if not out.problems else None), out.problems


def _parse_question(
    out: _Collector,
    data: Any,
    *,
    section_key: str,
    position: int,
    default_period: str,
) -> QuestionDef | None:
    if not isinstance(data, dict):
        out.add(f"nr {position} i ordningen", "frågan ska vara en mappning")
        return None
    number = data.get("number")
    if isinstance(number, int):
        number = str(number)
    where = str(number) if number else f"nr {position} i ordningen"
    _unknown_fields(out, where, data, QUESTION_FIELDS)
    if not isinstance(number, str) or not NUMBER_RE.match(number):
        out.add(where, 'number ska vara t.ex. "2" eller "29a"')
    variable = data.get("variable")
    if not isinstance(variable, str) or not VARIABLE_RE.match(variable):
        out.add(
            where,
            "variable ska börja med en bokstav och ha högst 18 tecken a–z, 0–9, _",
        )
    kind_value = data.get("kind")
    if kind_value not in QuestionKind.values:
        out.add(where, f"okänd frågetyp {kind_value!r}")
        return None
    kind = QuestionKind(kind_value)
    text = _required_text(out, where, data, "text")
    label = _required_text(out, where, data, "label", 300)

    options = _parse_options(out, where, kind, data.get("options"))
    rows = _parse_choices(out, where, "rows", data.get("rows"))
    if facts(kind).matrix and not rows:
        out.add(where, "en matris behöver rows")
    if not facts(kind).matrix and data.get("rows") is not None:
        out.add(where, "bara matriser har rows")

    escape_label = _optional_text(out, where, data, "escape", 200)
    min_value = _decimal(out, where, data, "min")
    max_value = _decimal(out, where, data, "max")
    unit = _optional_text(out, where, data, "unit", 40)
    national_figure = _optional_text(out, where, data, "national_figure")
    if kind in NUMBER_KINDS:
        if facts(kind).percentage:
            min_value = Decimal(0) if min_value is None else min_value
            max_value = Decimal(100) if max_value is None else max_value
            unit = unit or "%"
        if facts(kind).whole_number and min_value is None:
            min_value = Decimal(0)
        if min_value is not None and max_value is not None and min_value > max_value:
            out.add(where, "min är större än max")
        if national_figure and national_figure not in NationalFigure.values:
            out.add(where, "national_figure ska vara mean eller sum")
    else:
        for name in ("escape", "min", "max", "unit", "national_figure"):
            if data.get(name) is not None:
                out.add(where, f"{name} gäller bara antal och andelar")

    max_length = data.get("max_length")
    if kind in TYPED_TEXT_KINDS:
        if max_length is None:
            max_length = DEFAULT_TEXT_MAX_LENGTH
        elif not isinstance(max_length, int) or max_length < 1:
            out.add(where, "max_length ska vara ett positivt heltal")
    elif max_length is not None:
        out.add(where, "max_length gäller bara fritext")
        max_length = None

    reference_period = data.get("reference_period", default_period)
    if reference_period not in ReferencePeriod.values:
        out.add(
            where,
            f"reference_period ska vara en av {', '.join(ReferencePeriod.values)}",
        )
    comparability = data.get("comparability", Comparability.NEW)
    if comparability not in Comparability.values:
        out.add(
            where, f"comparability ska vara en av {', '.join(Comparability.values)}"
        )
    lineage = data.get("lineage", variable)
    if not isinstance(lineage, str) or not SLUG_RE.match(lineage):
        out.add(where, "lineage ska vara en nyckel med a–z, 0–9, - och _")
    for flag in ("required", "reconstructed"):
        if flag in data and not isinstance(data[flag], bool):
            out.add(where, f"{flag} ska vara true eller false")

    show_if = data.get("show_if")
    if show_if is not None and not isinstance(show_if, dict):
        out.add(where, "show_if ska vara ett villkor (en mappning)")
        show_if = None
    parent = data.get("parent")
    if parent is not None and not isinstance(parent, str):
        out.add(where, "parent ska vara en frågas variabelnamn")
        parent = None

    source_question = None
    raw_source = data.get("source_question")
    if kind in RSS_AGGREGATE_KINDS:
        if (
            not isinstance(raw_source, dict)
            or not isinstance(raw_source.get("questionnaire"), str)
            or not isinstance(raw_source.get("variable"), str)
            or set(raw_source) != {"questionnaire", "variable"}
        ):
            out.add(where, "source_question ska vara {questionnaire: …, variable: …}")
        else:
            source_question = SourceRef(
                raw_source["questionnaire"], raw_source["variable"]
            )
    elif raw_source is not None:
        out.add(
            where, "source_question gäller bara kommun_count och kommun_text_summary"
        )

    counts_population, percentage_question = _parse_plausibility(
        out, where, kind, data.get("plausibility")
    )

    if not isinstance(number, str) or not isinstance(variable, str):
        return None
    return QuestionDef(
        section_key=section_key,
        position=position,
        number=number,
        variable=variable,
        kind=kind,
        text=text,
        label=label,
        help_text=_optional_text(out, where, data, "help_text"),
        required=bool(data.get("required", True)),
        parent=parent,
        show_if=show_if,
        options=options,
        rows=rows,
        escape_label=escape_label,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        max_length=max_length if isinstance(max_length, int) else None,
        national_figure=national_figure,
        reference_period=str(reference_period),
        reference_text=_optional_text(out, where, data, "reference_text", 200),
        reconstructed=bool(data.get("reconstructed", False)),
        source_note=_optional_text(out, where, data, "source"),
        lineage_key=str(lineage),
        comparability=str(comparability),
        source_question=source_question,
        counts_population=counts_population,
        percentage_question=percentage_question,
    )


def _parse_plausibility(
    out: _Collector, where: str, kind: QuestionKind, raw: Any
) -> tuple[bool, str | None]:
    """`plausibility: {counts: population, percentage_question: r35_andel}` on a
    count; the percentage question is checked against the file in
    `validate_questionnaire`."""
    if raw is None:
        return False, None
    if not facts(kind).whole_number:
        out.add(where, "plausibility gäller bara antal (integer)")
        return False, None
    if not isinstance(raw, dict) or not raw:
        out.add(
            where,
            "plausibility ska vara en mappning med counts och/eller percentage_question",
        )
        return False, None
    _unknown_fields(out, where, raw, PLAUSIBILITY_FIELDS, prefix="plausibility: ")
    counts = raw.get("counts")
    if counts is not None and counts != "population":
        out.add(where, "plausibility: counts kan bara vara population")
    percentage_question = raw.get("percentage_question")
    if percentage_question is not None and not isinstance(percentage_question, str):
        out.add(where, "plausibility: percentage_question ska vara ett variabelnamn")
        percentage_question = None
    return counts == "population", percentage_question


def _parse_options(
    out: _Collector, where: str, kind: QuestionKind, raw: Any
) -> tuple[Choice, ...]:
    if kind in IMPLICIT_OPTION_KINDS:
        if raw is not None:
            out.add(where, f"{kind.value} har givna alternativ; ta bort options")
        return tuple(
            Choice(c, label) for c, label in PRESET_OPTIONS[IMPLICIT_OPTION_KINDS[kind]]
        )
    if kind in LISTED_OPTION_KINDS:
        if facts(kind).matrix and isinstance(raw, str):
            if raw not in PRESET_OPTIONS:
                out.add(where, f"okänd förinställning av options: {raw!r}")
                return ()
            return tuple(Choice(c, label) for c, label in PRESET_OPTIONS[raw])
        choices = _parse_choices(out, where, "options", raw, allow_other=True)
        if len(choices) < 2:
            out.add(
                where,
                "en flervals-, envals- eller matrisfråga behöver minst två options",
            )
        return choices
    if raw is not None:
        out.add(where, f"{kind.value} har inga options")
    return ()


def _parse_choices(
    out: _Collector, where: str, name: str, raw: Any, *, allow_other: bool = False
) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        out.add(where, f"{name} ska vara en lista med {{code, label}}")
        return ()
    allowed = {"code", "label", "other"} if allow_other else {"code", "label"}
    choices: list[Choice] = []
    for item in raw:
        if not isinstance(item, dict) or not set(item) <= allowed:
            out.add(where, f"{name}: varje post ska vara {{code, label}}: {item!r}")
            continue
        code, label = item.get("code"), item.get("label")
        if not isinstance(code, str) or not CODE_RE.match(code):
            out.add(
                where, f"{name}: ogiltig kod {code!r} (högst 12 tecken a–z, 0–9, _)"
            )
            continue
        if not isinstance(label, str) or not label.strip():
            out.add(where, f"{name}: koden {code} saknar label")
            continue
        _within(out, where, f"{name}: label för {code}", label.strip(), 300)
        other = item.get("other", False)
        if not isinstance(other, bool):
            out.add(where, f"{name}: other ska vara true eller false")
            other = False
        choices.append(Choice(code, label.strip(), other))
    _check_unique(out, [c.code for c in choices], f"koden i {name}", lambda _c: where)
    return tuple(choices)


def _unknown_fields(
    out: _Collector,
    where: str,
    data: Mapping[str, Any],
    allowed: set[str],
    *,
    prefix: str = "",
) -> None:
    for name in sorted(set(data) - allowed):
        out.add(where, f"{prefix}okänt fält {name!r}")


def _required_text(
    out: _Collector,
    where: str,
    data: Mapping[str, Any],
    name: str,
    max_length: int | None = None,
) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        out.add(where, f"{name} saknas")
        return ""
    return _within(out, where, name, value.strip(), max_length)


def _within(
    out: _Collector, where: str, name: str, value: str, max_length: int | None
) -> str:
    """Check a text against its database column, so a long text is a Problem."""
    if max_length is not None and len(value) > max_length:
        out.add(where, f"{name} får vara högst {max_length} tecken (nu {len(value)})")
    return value


def _optional_text(
    out: _Collector,
    where: str,
    data: Mapping[str, Any],
    name: str,
    max_length: int | None = None,
) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        out.add(where, f"{name} ska vara text")
        return ""
    return _within(out, where, name, value.strip(), max_length)


def _decimal(
    out: _Collector, where: str, data: Mapping[str, Any], name: str
) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        out.add(where, f"{name} ska vara ett tal")
        return None


def _date(out: _Collector, data: Mapping[str, Any], name: str) -> datetime.date | None:
    value = data.get(name)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    out.add("", f"{name} ska vara ett datum ÅÅÅÅ-MM-DD")
    return None


def _check_unique(
    out: _Collector, values: Sequence[str], what: str, where_for: Any
) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            out.add(where_for(value), f"{what} {value!r} förekommer mer än en gång")
        seen.add(value)


# --- validating ------------------------------------------------------------------


def validate_questionnaire(questionnaire: QuestionnaireDef) -> list[Problem]:
    """Rules within one file: unique names, follow-ups, display conditions."""
    out = _Collector(questionnaire.file)
    _check_unique(
        out,
        [q.variable for q in questionnaire.questions],
        "variabeln",
        lambda v: _number_of(questionnaire, v),
    )
    numbers = [q.number for q in questionnaire.questions]
    _check_unique(out, numbers, "numret", lambda n: n)
    earlier: dict[str, QuestionDef] = {}
    all_variables = {q.variable for q in questionnaire.questions}
    for question in questionnaire.questions:
        if question.parent is not None:
            parent = earlier.get(question.parent)
            if parent is None:
                later = question.parent in all_variables
                out.add(
                    question.number,
                    f"parent {question.parent!r} "
                    + ("kommer senare i enkäten" if later else "finns inte i enkäten"),
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
