"""Display conditions (`show_if`, docs/questionnaire-format.md), in one place.

A condition is parsed once from its YAML/JSON form into a closed set of typed
classes (`Condition`); everything else works on those: the check against the
question it refers to (`problems`), the evaluation on a respondent's answers
(`holds`), the two renderings in words (`for_respondent` in the Excel copy,
`for_codebook` in the codebook and import messages) and the translation to SQL
(`intake.condition_sql`). Every function is one `match` that mypy checks is
exhaustive (`assert_never`), so an operator added to `Leaf` is refused by mypy
until each of them handles it.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, assert_never

from surveys.errors import DomainError
from surveys.kinds import facts


class ConditionError(DomainError):
    """A condition that cannot be read; the message is Swedish, for staff."""


# --- the types ---------------------------------------------------------------------


@dataclass(frozen=True)
class Equals:
    """A single-value question has the option: `{question, equals}`."""

    question: str
    code: str


@dataclass(frozen=True)
class In:
    """A single-value question has one of the options: `{question, in: [...]}`."""

    question: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Includes:
    """A multiple choice has the option ticked: `{question, includes}`."""

    question: str
    code: str


@dataclass(frozen=True)
class RowEquals:
    """A matrix row has the option: `{question, row, equals}`."""

    question: str
    row: str
    code: str


@dataclass(frozen=True)
class AnyRow:
    """Some row of a matrix has the option: `{question, any_row}`."""

    question: str
    code: str


@dataclass(frozen=True)
class Escaped:
    """A number question has its escape answer: `{question, escaped: true}`."""

    question: str


@dataclass(frozen=True)
class Answered:
    """The question has any answer: `{question, answered: true}`."""

    question: str


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


Leaf = Equals | In | Includes | RowEquals | AnyRow | Escaped | Answered
Condition = Leaf | All | AnyOf


# --- parsing -----------------------------------------------------------------------

OPERATORS = frozenset(
    {"equals", "in", "includes", "row", "any_row", "escaped", "answered"}
)


def parse(data: Any) -> Condition:
    """The condition of a definition file (or as stored on a question), typed.

    Checks the shape only; whether it fits the question it names is `problems`.
    Raises ConditionError with a Swedish message."""
    if not isinstance(data, Mapping):
        raise ConditionError(f"villkoret {data!r} ska vara en mappning")
    if set(data) in ({"all"}, {"any"}):
        ((combinator, parts),) = data.items()
        if not isinstance(parts, list) or not parts:
            raise ConditionError(f"{combinator} ska vara en lista med villkor")
        parsed = tuple(parse(part) for part in parts)
        return All(parsed) if combinator == "all" else AnyOf(parsed)
    question = data.get("question")
    if not isinstance(question, str):
        raise ConditionError(f"villkoret saknar question: {dict(data)!r}")
    operators = set(data) - {"question"}
    if not operators <= OPERATORS:
        raise ConditionError(f"okänd villkorsoperator {sorted(operators - OPERATORS)}")
    if operators == {"equals"}:
        return Equals(question, _code(data["equals"]))
    if operators == {"in"}:
        values = data["in"]
        if not isinstance(values, list) or not values:
            raise ConditionError("in ska vara en lista med alternativ")
        return In(question, tuple(_code(value) for value in values))
    if operators == {"includes"}:
        return Includes(question, _code(data["includes"]))
    if operators == {"row", "equals"}:
        row = data["row"]
        if not isinstance(row, str):
            raise ConditionError(
                f"villkoret använder raden {row!r}, som inte är en kod"
            )
        return RowEquals(question, row, _code(data["equals"]))
    if operators == {"any_row"}:
        return AnyRow(question, _code(data["any_row"]))
    if operators == {"escaped"}:
        if data["escaped"] is not True:
            raise ConditionError("escaped ska vara true")
        return Escaped(question)
    if operators == {"answered"}:
        if data["answered"] is not True:
            raise ConditionError("answered ska vara true")
        return Answered(question)
    raise ConditionError(
        f"villkoret {sorted(operators)} är ingen känd kombination av operatorer"
    )


def _code(value: Any) -> str:
    if not isinstance(value, str):
        raise ConditionError(
            f"villkoret använder alternativet {value!r}, som inte är en kod"
        )
    return value


def parse_stored(data: Any) -> Condition | None:
    """A question's stored condition (None or {} = always shown)."""
    return parse(data) if data else None


def to_data(condition: Condition) -> dict[str, Any]:
    """The condition back in its file form (what `parse` reads)."""
    match condition:
        case All(parts):
            return {"all": [to_data(part) for part in parts]}
        case AnyOf(parts):
            return {"any": [to_data(part) for part in parts]}
        case Equals(question, code):
            return {"question": question, "equals": code}
        case In(question, codes):
            return {"question": question, "in": list(codes)}
        case Includes(question, code):
            return {"question": question, "includes": code}
        case RowEquals(question, row, code):
            return {"question": question, "row": row, "equals": code}
        case AnyRow(question, code):
            return {"question": question, "any_row": code}
        case Escaped(question):
            return {"question": question, "escaped": True}
        case Answered(question):
            return {"question": question, "answered": True}
        case _:
            assert_never(condition)


def leaves(condition: Condition) -> Iterator[Leaf]:
    match condition:
        case All(parts) | AnyOf(parts):
            for part in parts:
                yield from leaves(part)
        case _:
            yield condition


# --- checking against the question it names ------------------------------------------


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class Target(Protocol):
    """What the check needs of the question a condition names (a QuestionDef)."""

    @property
    def number(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def escape_label(self) -> str: ...
    @property
    def options(self) -> Sequence[_Coded]: ...
    @property
    def rows(self) -> Sequence[_Coded]: ...


def fits(leaf: Leaf, kind: str) -> bool:
    """Whether the operator applies to a question of the kind."""
    kind_facts = facts(kind)
    match leaf:
        case Equals() | In():
            return kind_facts.single_value
        case Includes():
            return kind_facts.multiple
        case RowEquals() | AnyRow():
            return kind_facts.matrix
        case Escaped():
            return kind_facts.number
        case Answered():
            return True
        case _:
            assert_never(leaf)


def problems(leaf: Leaf, target: Target) -> list[str]:
    """Why a parsed condition does not fit the question it names (Swedish)."""
    if not fits(leaf, target.kind):
        operators = sorted(set(to_data(leaf)) - {"question"})
        return [
            f"villkoret {operators} passar inte fråga {target.number} "
            f"av typen {target.kind}"
        ]
    codes = {option.code for option in target.options}

    def unknown(code: str) -> list[str]:
        if code in codes:
            return []
        return [
            f"villkoret använder alternativet {code!r}, som fråga {target.number} saknar"
        ]

    match leaf:
        case Equals(_, code) | Includes(_, code) | AnyRow(_, code):
            return unknown(code)
        case In(_, values):
            return [message for code in values for message in unknown(code)]
        case RowEquals(_, row, code):
            found = unknown(code)
            if row not in {r.code for r in target.rows}:
                found.append(
                    f"villkoret använder raden {row!r}, som fråga {target.number} saknar"
                )
            return found
        case Escaped():
            if not target.escape_label:
                return [
                    f"fråga {target.number} har inget undantagssvar att villkora på"
                ]
            return []
        case Answered():
            return []
        case _:
            assert_never(leaf)


# --- evaluation --------------------------------------------------------------------


@dataclass(frozen=True)
class GivenAnswer:
    """One question's answer as the condition evaluator sees it."""

    options: frozenset[str] = frozenset()  # chosen option codes (single or multiple)
    rows: Mapping[str, str] = field(
        default_factory=dict
    )  # matrix row code -> option code
    escaped: bool = False
    has_value: bool = False  # a number or a text was given
    # A multiple choice answered with «Inget av alternativen» (issue #16 point 7).
    none_of: bool = False


def holds(condition: Condition | None, answers: Mapping[str, GivenAnswer]) -> bool:
    """Whether a condition holds for the given answers (None: no condition).

    A condition on an unanswered question does not hold: a follow-up shows only
    once its parent has the answer that calls for it.
    """
    match condition:
        case None:
            return True
        case All(parts):
            return all(holds(part, answers) for part in parts)
        case AnyOf(parts):
            return any(holds(part, answers) for part in parts)
    answer = answers.get(condition.question)
    if answer is None:
        return False
    match condition:
        case Equals(_, code) | Includes(_, code):
            return code in answer.options
        case In(_, codes):
            return bool(answer.options & set(codes))
        case RowEquals(_, row, code):
            return answer.rows.get(row) == code
        case AnyRow(_, code):
            return code in answer.rows.values()
        case Escaped():
            return answer.escaped
        case Answered():
            return bool(
                answer.options
                or answer.rows
                or answer.escaped
                or answer.has_value
                or answer.none_of
            )
        case _:
            assert_never(condition)


# --- in words ----------------------------------------------------------------------


class _Labelled(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def label(self) -> str: ...


class _Choices(Protocol):
    def all(self) -> Iterable[_Labelled]: ...


class Question(Protocol):
    """What the wording needs of the question a condition names (a
    surveys.models Question). A protocol rather than the model: the models use
    this module, so it must not import them."""

    @property
    def number(self) -> str: ...
    @property
    def escape_label(self) -> str: ...
    @property
    def options(self) -> _Choices: ...
    @property
    def rows(self) -> _Choices: ...


def _labels(question: Question | None) -> dict[str, str]:
    return {o.code: o.label for o in question.options.all()} if question else {}


def for_respondent(
    condition: Condition | None, by_variable: Mapping[str, Question]
) -> str:
    """As the Excel copy tells a respondent: "Besvaras om du svarat «Ja» på fråga 3."."""
    if condition is None:
        return ""
    return f"Besvaras om {_respondent_clause(condition, by_variable)}."


def _respondent_clause(
    condition: Condition, by_variable: Mapping[str, Question]
) -> str:
    match condition:
        case All(parts):
            return " och ".join(_respondent_clause(c, by_variable) for c in parts)
        case AnyOf(parts):
            return " eller ".join(_respondent_clause(c, by_variable) for c in parts)
    question = by_variable.get(condition.question)
    if question is None:  # pragma: no cover - the loader checks references
        return f"fråga {condition.question} är besvarad"
    number = question.number
    labels = _labels(question)

    def label(code: str) -> str:
        return f"«{labels.get(code, code)}»"

    match condition:
        case RowEquals(_, row, code):
            rows = {r.code: r.label for r in question.rows.all()}
            return (
                f"du svarat {label(code)} för «{rows.get(row, row)}» på fråga {number}"
            )
        case Equals(_, code):
            return f"du svarat {label(code)} på fråga {number}"
        case In(_, codes):
            chosen = " eller ".join(label(c) for c in codes)
            return f"du svarat {chosen} på fråga {number}"
        case Includes(_, code):
            return f"du valt {label(code)} på fråga {number}"
        case AnyRow(_, code):
            return f"du svarat {label(code)} på någon av raderna i fråga {number}"
        case Escaped():
            return f"du svarat «{question.escape_label}» på fråga {number}"
        case Answered():
            return f"du besvarat fråga {number}"
        case _:
            assert_never(condition)


def for_codebook(condition: Condition | None, questions: Mapping[str, Question]) -> str:
    """As the codebook says it: "Besvaras om r02 = Ja"."""
    if condition is None:
        return ""
    return "Besvaras om " + codebook_clause(condition, questions)


def codebook_clause(condition: Condition, questions: Mapping[str, Question]) -> str:
    """The condition without "Besvaras om": "r02 = Ja och …"."""
    match condition:
        case All(parts):
            return " och ".join(codebook_clause(c, questions) for c in parts)
        case AnyOf(parts):
            return " eller ".join(codebook_clause(c, questions) for c in parts)
    variable = condition.question
    question = questions.get(variable)
    labels = _labels(question)

    def label(code: str) -> str:
        return labels.get(code, code)

    match condition:
        case RowEquals(_, row, code):
            return f"{variable}_{row} = {label(code)}"
        case Equals(_, code):
            return f"{variable} = {label(code)}"
        case In(_, codes):
            return f"{variable} = " + " eller ".join(label(c) for c in codes)
        case Includes(_, code):
            return f"{variable}_{code} = 1 ({label(code)} valt)"
        case AnyRow(_, code):
            return f"någon rad i {variable} = {label(code)}"
        case Escaped():
            escape = question.escape_label if question else "undantagssvaret"
            return f"{variable} = {escape}"
        case Answered():
            return f"{variable} är besvarad"
        case _:
            assert_never(condition)
