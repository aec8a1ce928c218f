"""intake.services.answer_sql: a save's rows written without bulk_create's
per-value preparation (issue #20), by COPY, store exactly what bulk_create
stores; answers replaced and history rows inserted in one statement (answers
updated in place where their cell stays, the rows sent as JSON) store exactly
what a DELETE and bulk_create store, whatever the values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import Answer, AnswerChange, Channel
from intake.services import answer_sql, get_or_create_response
from intake.services.answer_sql import copy_rows, insert_rows, write_rows
from surveys.models import Questionnaire, Region, User
from tests.conftest import require_postgresql, services_required

pytestmark = pytest.mark.django_db


def rows(region: Region, user: User) -> tuple[list[Answer], list[AnswerChange]]:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = get_or_create_response(questionnaire, organisation=region)
    number = questionnaire.questions.filter(kind="integer").first()
    matrix = questionnaire.questions.filter(kind="matrix").first()
    choice = questionnaire.questions.filter(kind="multiple_choice").first()
    assert number is not None and choice is not None and matrix is not None
    option = choice.options.first()
    row = matrix.rows.first()
    column = matrix.options.first()
    assert option is not None and row is not None and column is not None
    answers = [
        Answer(
            response_id=response.pk,
            question_id=number.pk,
            number=Decimal("12.50"),
            channel=Channel.WEB,
            entered_by_id=user.pk,
        ),
        Answer(
            response_id=response.pk,
            question_id=choice.pk,
            slot=option.code,
            option_id=option.pk,
            text="Text med 'citat' & {klamrar}",
            escaped=True,
            channel=Channel.PROXY,
            entered_by_id=user.pk,
        ),
        Answer(
            response_id=response.pk,
            question_id=matrix.pk,
            slot=row.code,
            row_id=row.pk,
            option_id=column.pk,
            channel=Channel.WEB,
            entered_by_id=user.pk,
        ),
    ]
    changes = [
        AnswerChange(
            response_id=response.pk,
            question_id=number.pk,
            old_value=None,
            new_value={"number": "12.50", "text": 'ä "ö"'},
            channel=Channel.WEB,
            changed_by_id=user.pk,
            reason="",
            response_version=3,
        ),
        AnswerChange(
            response_id=response.pk,
            question_id=choice.pk,
            slot=option.code,
            old_value={"option": option.code},
            new_value=None,
            channel=Channel.PROXY,
            changed_by_id=user.pk,
            reason="Dold följdfråga",
            response_version=3,
        ),
    ]
    return answers, changes


def stored(model: Any) -> list[dict[str, Any]]:
    skip = {"id", "updated_at", "changed_at"}
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in skip}
        for row in model.objects.order_by("question_id")
    ]


@pytest.mark.parametrize("model", [Answer, AnswerChange])
def test_the_rows_set_every_column(
    model: Any, region: Region, region_user: User
) -> None:
    """The comparison below only means something if every column the writes
    derive from the model carries a value other than its default somewhere: a
    column they dropped would then differ from bulk_create's."""
    answers, changes = rows(region, region_user)
    objects = answers if model is Answer else changes
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False):
            continue
        if getattr(field, "auto_now_add", False):
            continue
        default = field.get_default()
        assert any(field.value_from_object(o) != default for o in objects), field.name


@pytest.mark.parametrize("write", ["insert_rows", "copy_rows"])
def test_it_stores_what_bulk_create_stores(
    write: str, region: Region, region_user: User
) -> None:
    if connection.vendor != "postgresql":
        reason = "DATABASE_URL is not PostgreSQL: elsewhere insert_rows is bulk_create"
        if services_required():
            pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping it")
        pytest.skip(reason)
    answers, changes = rows(region, region_user)
    Answer.objects.bulk_create(answers)
    AnswerChange.objects.bulk_create(changes)
    expected = stored(Answer), stored(AnswerChange)
    Answer.objects.all().delete()
    AnswerChange.objects.all().delete()
    answers, changes = rows(region, region_user)
    if write == "insert_rows":
        insert_rows(Answer, answers)
        insert_rows(AnswerChange, changes, batch_size=1)
    else:
        copy_rows(Answer, answers)
        copy_rows(AnswerChange, changes)
    assert (stored(Answer), stored(AnswerChange)) == expected
    assert Answer.objects.filter(updated_at__isnull=True).count() == 0
    assert AnswerChange.objects.filter(changed_at__isnull=True).count() == 0
    assert {a.channel for a in Answer.objects.all()} == {"web", "proxy"}


def test_a_refused_row_raises_djangos_integrity_error(
    region: Region, region_user: User
) -> None:
    """As from a query: callers catch Django's errors, not psycopg's."""
    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL: bulk_create raises Django's own")
    answers, _ = rows(region, region_user)
    insert_rows(Answer, answers)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Answer, rows(region, region_user)[0])


def replacements(
    stored_rows: list[Answer], other_user: User
) -> tuple[list[int], list[Answer]]:
    """The number's and the matrix row's answers replaced by new values in the
    same cells, with every column but the key changed in one or the other; the
    multiple choice's option replaced by another option (a cell removed and a
    cell added)."""
    by_kind = {a.question.kind: a for a in stored_rows}
    number, matrix, choice = (
        by_kind["integer"],
        by_kind["matrix"],
        by_kind["multiple_choice"],
    )
    other_row = matrix.question.rows.exclude(pk=matrix.row_id).first()
    other_column = matrix.question.options.exclude(pk=matrix.option_id).first()
    other_option = choice.question.options.exclude(pk=choice.option_id).first()
    assert other_row and other_column and other_option
    new = [
        Answer(
            response_id=number.response_id,
            question_id=number.question_id,
            slot=number.slot,
            number=Decimal("99.25"),
            text="ny 'text'",
            escaped=True,
            channel=Channel.PROXY,
            entered_by_id=other_user.pk,
        ),
        Answer(
            response_id=matrix.response_id,
            question_id=matrix.question_id,
            slot=matrix.slot,
            row_id=other_row.pk,
            option_id=other_column.pk,
            channel=Channel.WEB,
            entered_by_id=matrix.entered_by_id,
        ),
        Answer(
            response_id=choice.response_id,
            question_id=choice.question_id,
            slot=other_option.code,
            option_id=other_option.pk,
            channel=Channel.WEB,
            entered_by_id=choice.entered_by_id,
        ),
    ]
    return [number.pk, matrix.pk, choice.pk], new


def test_replacing_answers_stores_what_a_delete_and_bulk_create_store(
    region: Region, region_user: User, staff_user: User
) -> None:
    """Whatever the database: on PostgreSQL the cells that stay are updated
    in place (keeping their ids), elsewhere every row is deleted and inserted."""
    Answer.objects.bulk_create(rows(region, region_user)[0])
    replaced, new = replacements(list(Answer.objects.all()), staff_user)
    Answer.objects.filter(pk__in=replaced).delete()
    Answer.objects.bulk_create(new)
    expected = stored(Answer)
    Answer.objects.all().delete()

    Answer.objects.bulk_create(rows(region, region_user)[0])
    before = {a.pk: a for a in Answer.objects.all()}
    replaced, new = replacements(list(before.values()), staff_user)
    write_rows(replaced, new, [])
    assert stored(Answer) == expected
    after = {a.pk: a for a in Answer.objects.all()}
    assert len(after) == 3
    if connection.vendor == "postgresql":
        kept = after.keys() & before.keys()
        # The number's and the matrix row's cells, updated in place.
        assert len(kept) == 2
        # Every column but the key changed in one of them: an update that
        # left one out would differ from the delete and insert above.
        for field in Answer._meta.concrete_fields:
            if field.primary_key or field.name in {"response", "question", "slot"}:
                continue
            assert any(
                field.value_from_object(after[pk])
                != field.value_from_object(before[pk])
                for pk in kept
            ), field.name


def test_write_rows_is_one_prepared_statement_on_postgresql(
    region: Region, region_user: User, staff_user: User
) -> None:
    """The answers and the history in one statement, prepared once per
    database session (surveys.server_prepared), then executed with each
    save's rows: one query either way."""
    require_postgresql("SQLite deletes and inserts")
    answers, changes = rows(region, region_user)
    Answer.objects.bulk_create(answers)
    replaced, new = replacements(list(Answer.objects.all()), staff_user)
    with CaptureQueriesContext(connection) as first:
        write_rows(replaced, new, changes)
    replaced, new = replacements(list(Answer.objects.all()), region_user)
    changes = rows(region, region_user)[1]
    with CaptureQueriesContext(connection) as again:
        write_rows(replaced, new, changes)
    assert [len(first), len(again)] == [1, 1]
    name = again[0]["sql"].split("(", 1)[0].removeprefix("EXECUTE ")
    assert name.startswith("rows_")
    assert first[0]["sql"].split("; ")[-1].startswith(f"EXECUTE {name}(")
    assert AnswerChange.objects.count() == 2 * len(changes)


def written(
    replaced: list[int], answers: list[Answer], history: list[AnswerChange], how: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """What the answers and the history hold after writing these rows, `how`:
    "orm" by a DELETE and bulk_create, "write_rows" by the function under
    test; the write rolled back afterwards. The rows in an order of their
    values (the history's ids, and so its order, may differ)."""
    with transaction.atomic():
        before = timezone.now()
        if how == "orm":
            Answer.objects.filter(pk__in=replaced).delete()
            Answer.objects.bulk_create(answers)
            AnswerChange.objects.bulk_create(history)
        else:
            write_rows(replaced, answers, history)
        after = timezone.now()
        # Every row written carries the time of the write (not compared
        # below: bulk_create's pre_save takes it per row, the statement once).
        times = {a.updated_at for a in Answer.objects.exclude(pk__in=replaced)}
        times |= set(AnswerChange.objects.values_list("changed_at", flat=True))
        assert all(before <= t <= after for t in times)
        if how == "write_rows" and connection.vendor == "postgresql":
            assert len(times) == 1
        result = (
            sorted(stored(Answer), key=repr),
            sorted(stored(AnswerChange), key=repr),
            # SQL NULL, not JSON null, for None (the ORM reads both as None).
            [
                AnswerChange.objects.filter(**{f"{name}__isnull": True}).count()
                for name in ("old_value", "new_value")
            ],
        )
        transaction.set_rollback(True)
    return result


def assert_replacing_stores_what_the_orm_stores(
    region: Region, region_user: User, staff_user: User
) -> None:
    """Stored answers replaced and history rows added, by DELETE + bulk_create
    and by `write_rows`, from the same rows: the same rows stored."""
    Answer.objects.bulk_create(rows(region, region_user)[0])
    replaced, new = replacements(list(Answer.objects.all()), staff_user)
    history = rows(region, region_user)[1]
    expected = written(replaced, new, history, "orm")
    replaced, new = replacements(list(Answer.objects.all()), staff_user)
    history = rows(region, region_user)[1]
    assert written(replaced, new, history, "write_rows") == expected


def test_write_rows_stores_what_a_delete_and_bulk_create_store(
    region: Region, region_user: User, staff_user: User
) -> None:
    """Answers replaced (two cells updated in place on PostgreSQL, one deleted
    and one inserted) and history rows with every column set."""
    assert_replacing_stores_what_the_orm_stores(region, region_user, staff_user)
    # Nothing to write writes nothing.
    with CaptureQueriesContext(connection) as queries:
        write_rows([], [], [])
    assert len(queries) == 0


def test_a_bulk_write_copies(
    region: Region,
    region_user: User,
    staff_user: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above COPY_ABOVE rows the new answers (when none is replaced) and the
    history go in by COPY on PostgreSQL: the same rows."""
    monkeypatch.setattr(answer_sql, "COPY_ABOVE", 1)
    answers, history = rows(region, region_user)
    expected = written([], answers, history, "orm")
    answers, history = rows(region, region_user)
    with CaptureQueriesContext(connection) as queries:
        assert written([], answers, history, "write_rows") == expected
    copies = [q["sql"] for q in queries if q["sql"].startswith("COPY ")]
    assert len(copies) == (2 if connection.vendor == "postgresql" else 0)
    # Replaced answers by the statement, the history by COPY.
    assert_replacing_stores_what_the_orm_stores(region, region_user, staff_user)


# Any text PostgreSQL's text columns take (no NUL, no lone surrogate), with
# what JSON and SQL escape: quotes, backslashes, braces, commas, control
# characters, non-ASCII.
texts = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    max_size=20,
) | st.sampled_from(["", "NULL", "null", "{}", '"', "\\", "a,b", '{a,"b"}'])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3)
    ),
    max_leaves=6,
)
# Any exponent and more places than the column's two, which PostgreSQL rounds;
# and digits a float would lose, across a rounding's tie.
numbers = (
    st.none()
    | st.decimals(
        min_value=-(10**11), max_value=10**11, allow_nan=False, allow_infinity=False
    )
    | st.sampled_from(
        [
            Decimal("99999999999.99499999"),
            Decimal("-0.00500000000000000001"),
            Decimal("1E+2"),
            Decimal("-0"),
        ]
    )
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(
        st.tuples(numbers, texts, st.booleans(), st.sampled_from(Channel)),
        min_size=3,
        max_size=3,
    ),
    slot=st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
        max_size=30,
    ),
    changes=st.lists(
        st.tuples(json_values, json_values, texts.map(lambda t: t[:300])),
        max_size=4,
    ),
)
def test_write_rows_stores_any_values_as_the_orm_does(
    region: Region,
    region_user: User,
    staff_user: User,
    values: list[tuple[Decimal | None, str, bool, Channel]],
    slot: str,
    changes: list[tuple[Any, Any, str]],
) -> None:
    """Whatever the numbers (any exponent, rounded to the column's places),
    texts and JSON values (lists, nested nulls, floats; None is SQL NULL), the
    statement stores what the ORM does: the JSON text PostgreSQL parses
    changes nothing on the way."""
    with transaction.atomic():
        base = rows(region, region_user)[0]
        base[0].slot = slot
        Answer.objects.bulk_create(base)
        stored_rows = list(Answer.objects.all())

        def build() -> tuple[list[int], list[Answer], list[AnswerChange]]:
            replaced, new = replacements(stored_rows, staff_user)
            for answer, (number, text, escaped, channel) in zip(
                new, values, strict=True
            ):
                answer.number, answer.text = number, text
                answer.escaped, answer.channel = escaped, channel
            history = [
                AnswerChange(
                    response_id=base[0].response_id,
                    question_id=base[0].question_id,
                    slot=slot,
                    old_value=old,
                    new_value=new_value,
                    channel=Channel.WEB,
                    changed_by_id=staff_user.pk,
                    reason=reason,
                    response_version=i,
                )
                for i, (old, new_value, reason) in enumerate(changes)
            ]
            return replaced, new, history

        assert written(*build(), "write_rows") == written(*build(), "orm")
        transaction.set_rollback(True)
