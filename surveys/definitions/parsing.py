"""Parsing a definition file's mapping into records (docs/questionnaire-format.md).

Field by field: every field a file may have, the shapes of names and codes, and
the defaults a kind implies. A parsed questionnaire is then validated as a whole
(surveys.definitions.validation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from surveys.definitions.records import (
    Choice,
    Collector,
    CycleDef,
    Problem,
    QuestionDef,
    QuestionnaireDef,
    SectionDef,
    SourceRef,
)
from surveys.definitions.validation import validate_questionnaire
from surveys.definitions.values import (
    check_unique,
    date_value,
    decimal_value,
    optional_text,
    required_text,
    unknown_fields,
    within,
)
from surveys.kinds import (
    IMPLICIT_OPTION_KINDS,
    LISTED_OPTION_KINDS,
    NUMBER_KINDS,
    PRESET_OPTIONS,
    RSS_AGGREGATE_KINDS,
    TYPED_TEXT_KINDS,
    QuestionKind,
    facts,
)
from surveys.models.questionnaires import (
    BaseConvention,
    Comparability,
    NationalFigure,
    ReferencePeriod,
)
from surveys.models.register import OrganisationKind

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
    "footnotes",
    "base",
}
PLAUSIBILITY_FIELDS = {"counts", "percentage_question"}


def parse_cycle(
    data: Mapping[str, Any], *, file: str
) -> tuple[CycleDef | None, list[Problem]]:
    out = Collector(file)
    unknown_fields(out, "", data, CYCLE_FIELDS)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        out.add("", "year ska vara ett årtal, t.ex. 2024")
        return None, out.problems
    name = required_text(out, "", data, "name", 200)
    reference_period = required_text(out, "", data, "reference_period", 200)
    if out.problems:
        return None, out.problems
    cycle = CycleDef(
        file=file,
        year=year,
        name=name,
        reference_period=reference_period,
        description=optional_text(out, "", data, "description"),
    )
    return cycle, out.problems


def parse_questionnaire(
    data: Mapping[str, Any], *, file: str, content_hash: str = ""
) -> tuple[QuestionnaireDef | None, list[Problem]]:
    out = Collector(file)
    unknown_fields(out, "", data, QUESTIONNAIRE_FIELDS)
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        out.add("", "key ska vara en kort nyckel med a–z, 0–9, - och _ (t.ex. region)")
    audience = data.get("audience")
    if audience not in OrganisationKind.values:
        out.add("", f"audience ska vara en av {', '.join(OrganisationKind.values)}")
    title = required_text(out, "", data, "title", 300)
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        out.add("", "version ska vara ett heltal från 1")
    opens_on = date_value(out, data, "opens_on")
    closes_on = date_value(out, data, "closes_on")
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
        unknown_fields(
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
                title=required_text(out, "", section_data, "title", 300),
                intro=optional_text(out, "", section_data, "intro"),
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

    check_unique(out, [s.key for s in sections], "avsnittsnyckeln", lambda _k: "")
    if out.problems or not isinstance(key, str) or not isinstance(audience, str):
        return None, out.problems
    assert opens_on is not None and closes_on is not None  # noqa: S101 - checked above
    questionnaire = QuestionnaireDef(
        file=file,
        key=key,
        audience=OrganisationKind(audience),
        supplementary=bool(supplementary),
        title=title,
        intro=optional_text(out, "", data, "intro"),
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
    out: Collector,
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
    unknown_fields(out, where, data, QUESTION_FIELDS)
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
    text = required_text(out, where, data, "text")
    label = required_text(out, where, data, "label", 300)

    options = _parse_options(out, where, kind, data.get("options"))
    rows = _parse_choices(out, where, "rows", data.get("rows"))
    if facts(kind).matrix and not rows:
        out.add(where, "en matris behöver rows")
    if not facts(kind).matrix and data.get("rows") is not None:
        out.add(where, "bara matriser har rows")

    escape_label = optional_text(out, where, data, "escape", 200)
    min_value = decimal_value(out, where, data, "min")
    max_value = decimal_value(out, where, data, "max")
    unit = optional_text(out, where, data, "unit", 40)
    national_figure = optional_text(out, where, data, "national_figure")
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
        help_text=optional_text(out, where, data, "help_text"),
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
        reference_text=optional_text(out, where, data, "reference_text", 200),
        reconstructed=bool(data.get("reconstructed", False)),
        source_note=optional_text(out, where, data, "source"),
        lineage_key=str(lineage),
        comparability=str(comparability),
        source_question=source_question,
        counts_population=counts_population,
        percentage_question=percentage_question,
        footnotes=_parse_footnotes(out, where, data.get("footnotes")),
        base_convention=_parse_base(out, where, kind, data.get("base")),
    )


def _parse_base(out: Collector, where: str, kind: QuestionKind, raw: Any) -> str:
    """`base: frame` makes the shares of a closed question (or an RSS count) of
    the whole frame, with «Inte lämnat svar» as a category of its own."""
    if raw is None:
        return BaseConvention.ANSWERED.value
    if raw not in BaseConvention.values:
        out.add(where, f"base ska vara en av {', '.join(BaseConvention.values)}")
        return BaseConvention.ANSWERED.value
    if raw == BaseConvention.FRAME and not (
        facts(kind).closed or facts(kind).kommun_counts
    ):
        out.add(where, "base: frame gäller bara frågor med svarsalternativ")
    return str(raw)


FOOTNOTE_MAX_LENGTH = 500


def _parse_footnotes(out: Collector, where: str, raw: Any) -> tuple[str, ...]:
    """`footnotes:` a list of sentences printed under the question's tables and
    charts, in the file's order."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(
        isinstance(note, str) and note.strip() for note in raw
    ):
        out.add(where, "footnotes ska vara en lista med fotnoter (text)")
        return ()
    notes = tuple(" ".join(note.split()) for note in raw)
    if any(len(note) > FOOTNOTE_MAX_LENGTH for note in notes):
        out.add(where, f"en fotnot får ha högst {FOOTNOTE_MAX_LENGTH} tecken")
    if len(set(notes)) != len(notes):
        out.add(where, "samma fotnot står två gånger")
    return notes


def _parse_plausibility(
    out: Collector, where: str, kind: QuestionKind, raw: Any
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
    unknown_fields(out, where, raw, PLAUSIBILITY_FIELDS, prefix="plausibility: ")
    counts = raw.get("counts")
    if counts is not None and counts != "population":
        out.add(where, "plausibility: counts kan bara vara population")
    percentage_question = raw.get("percentage_question")
    if percentage_question is not None and not isinstance(percentage_question, str):
        out.add(where, "plausibility: percentage_question ska vara ett variabelnamn")
        percentage_question = None
    return counts == "population", percentage_question


def _parse_options(
    out: Collector, where: str, kind: QuestionKind, raw: Any
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
    out: Collector, where: str, name: str, raw: Any, *, allow_other: bool = False
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
        within(out, where, f"{name}: label för {code}", label.strip(), 300)
        other = item.get("other", False)
        if not isinstance(other, bool):
            out.add(where, f"{name}: other ska vara true eller false")
            other = False
        choices.append(Choice(code, label.strip(), other))
    check_unique(out, [c.code for c in choices], f"koden i {name}", lambda _c: where)
    return tuple(choices)
