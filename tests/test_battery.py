"""The fault and bad-input battery (issue #13 point 10).

Bad inputs, through the real endpoints with the test client, against answers
that are all valid and stored: every question and field of the 2024 region
questionnaire, the RSS questionnaire's kommun counts and summaries and the
kommun questionnaire gets a list of bad values for its kind, in "Spara utkast"
and in autosave; then forged requests (version, base, other organisations), the
kommun's Excel upload (hostile workbooks and a valid copy with one bad cell), the
staff raw-data import (one bad cell per column), kommun contacts and the
kvalitetsdeklaration. Each try runs in a savepoint that is rolled back
(tests/battery.py), so one set of answers serves them all.

The faults (a broker that stops, connections that PostgreSQL ends) are in the
second half, marked `services`. Every test adds its tally to the totals that
tests/conftest.py prints at the end of the run.
"""

from __future__ import annotations

import io
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from intake.demo import demo_values
from intake.forms import (
    ESCAPED,
    adjust_field,
    count_slots,
    reason_field,
    row_field,
)
from intake.merge import base_field
from intake.models import Channel, Response
from intake.rss_forms import ContactForm
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers
from reports.models import TEXT_FIELDS
from surveys.kinds import facts
from surveys.models import (
    RSS,
    Kommun,
    Question,
    Questionnaire,
    Region,
    User,
)
from tests.battery import Outcome, Tally, attempt, page_text
from tests.conftest import make_user
from tests.hostile_xlsx import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    MALFORMED,
    inflated_styles,
    minimal_xlsx,
    with_parts,
)
from tests.intake.test_excel_upload_bounds import survey_part
from tests.intake.test_refused_values import page_data
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes
from tests.script_posts import ScriptPost

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTROL = ["a\x00b", "a\x01b", "a\x1bb", "\ufffe", "a\uffffb"]
LONG_TEXT = "x" * 4001
# Numbers no field may take, whatever its kind.
BAD_NUMBERS = [
    "-5",
    "1e999",
    "1e20",
    "-1e999",
    "tolv",
    "1\x002",
    "NaN",
    "Infinity",
    "0x10",
    "1" * 41,
    "12 345 678 901 234",
]
BAD_PERCENTAGES = ["150", "100,01", "55,555"]


def bad_values(question: Question) -> list[tuple[str, dict[str, Any]]]:
    """(label, posted fields) for each bad value of the question's kind."""
    kind = facts(question.kind)
    name = question.variable
    codes = [o.code for o in question.options.all()]
    tries: list[tuple[str, dict[str, Any]]] = []
    if kind.kommun_counts:
        slot = count_slots(question)[0]
        field = adjust_field(question, slot)
        reason = {reason_field(question): "Kontroll"}
        for value in ["-1", "abc", "1e20", "1e999", "1" * 13, "99", "2,5", "\x00"]:
            tries.append((f"count {value!r}", {field: value, **reason}))
        tries.append(("count without a reason", {field: "1"}))
        for value in CONTROL[:2]:
            tries.append(
                (f"reason {value!r}", {field: "0", reason_field(question): value})
            )
        return tries
    if kind.single_value:
        for value in ["okand", "JA ", "1", "\x00", LONG_TEXT, *CONTROL[3:]]:
            tries.append((f"option {value[:12]!r}", {name: value}))
        tries.append(("list ending in an unknown code", {name: [codes[0], "okand"]}))
        return tries
    if kind.multiple:
        for value in [["okand"], [codes[0], "okand"], ["\x00"], [LONG_TEXT]]:
            tries.append((f"options {str(value)[:20]}", {name: value}))
        return tries
    if kind.matrix:
        first = question.rows.all()[0]
        field = row_field(question, first.code)
        for value in ["okand", "\x00", "\ufffe", LONG_TEXT]:
            tries.append((f"row value {value[:12]!r}", {field: value}))
        tries.append(("row list ending in an unknown code", {field: [codes[0], "x"]}))
        return tries
    if kind.number:
        values = BAD_NUMBERS + (BAD_PERCENTAGES if kind.percentage else [])
        for value in values:
            tries.append((f"number {value[:14]!r}", {name: value}))
        tries.append(("number list", {name: ["12", "tolv"]}))
        if question.escape_label:
            tries.append(("number and escape", {name: "40", name + ESCAPED: "on"}))
        return tries
    for value in [*CONTROL, LONG_TEXT]:
        tries.append((f"text {value[:12]!r}", {name: value}))
    return tries


# --- what the endpoints answer -----------------------------------------------------------


def form_errors(result: HttpResponse, key: str = "form") -> list[str]:
    """The form's messages, each as the page shows it: a message the reader
    cannot see on the page counts as no message ("")."""
    form = result.context[key] if result.context else None
    if form is None:
        return [page_text(result)]
    text = re.sub(r"\s+", " ", page_text(result))
    # A hidden field's own error is not for the reader: the page must say it
    # another way (a message for the whole form).
    messages = [
        str(m)
        for name, errs in form.errors.items()
        if name not in form.fields or not form.fields[name].widget.is_hidden
        for m in errs
    ]
    return [m if re.sub(r"\s+", " ", m) in text else "" for m in messages]


def form_outcome(result: HttpResponse) -> Outcome:
    if result.status_code == 302:
        return Outcome(False, [])
    if result.status_code in (200, 400, 409):
        messages = form_errors(result)
        # A 400 or 409 without a message the reader can see is not clear.
        refused = bool(messages) or result.status_code != 200
        return Outcome(refused, messages or [""])
    return Outcome(True, [error_page_message(result)])


def error_page_message(result: HttpResponse) -> str:
    """The heading and text of a Swedish error page (config/errors.py)."""
    if result.get("Content-Type", "").startswith("application/json"):
        return str(result.json().get("message", ""))
    main = re.search(r"<main\b.*?</main>", result.content.decode(), re.DOTALL)
    return page_text(HttpResponse(main.group() if main else result.content))


def autosave_outcome(variables: set[str]) -> Callable[[HttpResponse], Outcome]:
    def classify(result: HttpResponse) -> Outcome:
        body = result.json()
        if result.status_code == 200:
            refused = body["refused"]
            errors = body["errors"]  # the contact fields' too
            if not refused and not errors:
                return Outcome(False, [])
            messages = [m for v in refused for m in refused[v]]
            messages += [m for v in errors if v not in refused for m in errors[v]]
            if variables and not variables & set(refused):
                messages.append("")  # refused, but not naming the question
            return Outcome(True, messages)
        return Outcome(True, [str(body.get("message", ""))])

    return classify


def save_draft_outcome(variables: set[str]) -> Callable[[HttpResponse], Outcome]:
    """The save in place (issue #20): saved whole, or nothing saved and why."""

    def classify(result: HttpResponse) -> Outcome:
        body = result.json()
        if result.status_code == 200 and body["saved"]:
            return Outcome(False, [])
        refused = body.get("refused", [])
        errors = body.get("errors", {})
        messages = [m for v in errors for m in errors[v]]
        if variables and not variables & set(refused):
            messages.append("")  # refused, but not naming the question
        return Outcome(True, messages or [str(body.get("message", ""))])

    return classify


# --- the set-up: every question answered ------------------------------------------------


@dataclass
class Answered:
    questionnaire: Questionnaire
    organisation: Any
    user: User
    response: Response
    others: list[int]  # responses that must not change either (other organisations)

    def url(self, name: str) -> str:
        return reverse(
            f"intake:response-{name}",
            args=[self.questionnaire.pk, self.organisation.pk],
        )

    @property
    def ids(self) -> list[int]:
        return [self.response.pk, *self.others]


def answered(key: str, organisation: Any, user: User, seed: int = 3) -> Response:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key=key)
    response = get_or_create_response(questionnaire, organisation=organisation)
    values = demo_values(questions_of(questionnaire.pk), random.Random(seed))
    return save_answers(response, actor=user, channel=Channel.WEB, values=values)


def answered_for(
    key: str, organisation: Any, user: User, other: Any, other_user: User
) -> Answered:
    response = answered(key, organisation, user)
    other_response = answered(key, other, other_user, seed=5)
    return Answered(
        response.questionnaire, organisation, user, response, [other_response.pk]
    )


# The whole sweep (every bad value of every question, in both channels) takes
# minutes; by default each question gets PER_QUESTION of its kind's bad values in
# autosave, taken in turn so that every value of a kind is tried on some
# question, and every FORM_EVERY-th try goes through "Spara utkast" as well
# (the page is the slower endpoint; both parse with the same form).
FULL = os.environ.get("BATTERY_FULL") == "1"
# The scripts' endpoints get what the page's script posts: JSON pairs.
as_script = ScriptPost("json")
PER_QUESTION = 1
FORM_EVERY = 4


def try_every_question(battery: Tally, client: Client, setup: Answered) -> None:
    client.force_login(setup.user)
    posted = page_data(setup.response)
    index = 0
    turn: dict[str, int] = {}
    for question in questions_of(setup.questionnaire.pk):
        tries = bad_values(question)
        if not FULL:
            start = turn.get(question.kind, 0)
            tries = [tries[(start + i) % len(tries)] for i in range(PER_QUESTION)]
            turn[question.kind] = start + PER_QUESTION
        for label, fields in tries:
            data = {**posted, **fields}
            case = f"{setup.questionnaire.key} {question.variable} {label}"
            attempt(
                battery,
                f"autosave {case}",
                lambda data=data: as_script(client, setup.url("autosave"), data),
                autosave_outcome({question.variable}),
                responses=setup.ids,
                target={question.pk},
            )
            if FULL or index % FORM_EVERY == 0:
                attempt(
                    battery,
                    f"form {case}",
                    lambda data=data: client.post(setup.url("edit"), data),
                    form_outcome,
                    responses=setup.ids,
                    target={question.pk},
                )
            if FULL or index % FORM_EVERY == 1:
                attempt(
                    battery,
                    f"save in place {case}",
                    lambda data=data: as_script(client, setup.url("save-draft"), data),
                    save_draft_outcome({question.variable}),
                    responses=setup.ids,
                    target={question.pk},
                )
            index += 1


@pytest.fixture
def region_answered(
    region: Region, region_user: User, other_region: Region, other_region_user: User
) -> Answered:
    return answered_for("region", region, region_user, other_region, other_region_user)


def test_bad_values_in_every_region_question(
    battery: Tally, client: Client, region_answered: Answered
) -> None:
    try_every_question(battery, client, region_answered)
    battery.assert_nothing_lost()


def test_bad_values_in_every_rss_question(
    battery: Tally, client: Client, rss: RSS, rss_user: User
) -> None:
    other = RSS.objects.get(code="rss-01")
    setup = answered_for(
        "rss", rss, rss_user, other, make_user("samordnare@annan.test", other)
    )
    try_every_question(battery, client, setup)
    battery.assert_nothing_lost()


@pytest.fixture
def kommun_answered(kommun: Kommun, kommun_user: User) -> Answered:
    other = Kommun.objects.get(code="0764")  # Alvesta, the same RSS
    return answered_for(
        "kommun", kommun, kommun_user, other, make_user("kontakt@alvesta.test", other)
    )


def test_bad_values_in_every_kommun_question(
    battery: Tally, client: Client, kommun_answered: Answered
) -> None:
    try_every_question(battery, client, kommun_answered)
    battery.assert_nothing_lost()


# --- forged requests ----------------------------------------------------------------------


def test_forged_requests_change_nothing(
    battery: Tally, client: Client, region_answered: Answered
) -> None:
    setup = region_answered
    client.force_login(setup.user)
    posted = page_data(setup.response)
    text = setup.questionnaire.questions.get(number="1")
    change = {text.variable: "Ändrad text"}
    other_org = Region.objects.get(code="07")
    kommun_q = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    without_version = {k: v for k, v in posted.items() if k != "version"}
    cases: list[tuple[str, str, dict[str, Any], bool]] = [
        ("missing version", "", {**without_version, **change}, False),
        ("version -1", "", {**posted, "version": "-1", **change}, False),
        ("version text", "", {**posted, "version": "abc", **change}, False),
        # A version that was never saved would read as "nothing changed
        # since" and write over others' answers: refused (found by the battery).
        ("version huge", "", {**posted, "version": "9" * 30, **change}, False),
        (
            "version ahead by one",
            "",
            {**posted, "version": str(int(posted["version"]) + 1), **change},
            False,
        ),
        ("version as a list", "", {**posted, "version": ["1", "x"], **change}, False),
        (
            "stale base on the changed question",
            "",
            {**posted, base_field(text.variable): "0" * 64, **change},
            True,
        ),
        (
            "forged base",
            "",
            {**posted, base_field(text.variable): "x" * 65, **change},
            True,  # no usable base: merged as when a page posts none
        ),
        (
            "contact e-mail",
            "",
            {**posted, "contact_email": "inte en adress"},
            False,
        ),
        ("contact name NUL", "", {**posted, "contact_name": "Ann\x00a"}, False),
        ("contact phone too long", "", {**posted, "contact_phone": "1" * 41}, False),
        (
            "another region's response",
            reverse(
                "intake:response-edit", args=[setup.questionnaire.pk, other_org.pk]
            ),
            {**posted, **change},
            False,
        ),
        (
            "a questionnaire not for regions",
            reverse("intake:response-edit", args=[kommun_q.pk, setup.organisation.pk]),
            {**posted, **change},
            False,
        ),
        (
            "an organisation that does not exist",
            reverse("intake:response-edit", args=[setup.questionnaire.pk, 999999]),
            {**posted, **change},
            False,
        ),
    ]
    for label, url, data, legitimate in cases:
        for channel in ("edit", "autosave", "save-draft"):
            target_url = url or setup.url(channel)
            if url and channel == "autosave":
                target_url = url + "autospara/"
            if url and channel == "save-draft":
                target_url = url + "spara-utkast/"
            outcome = {
                "edit": form_outcome,
                "autosave": autosave_outcome(set()),
                "save-draft": save_draft_outcome(set()),
            }[channel]
            attempt(
                battery,
                f"{channel} {label}",
                lambda u=target_url, d=data, c=channel: (
                    client.post(u, d) if c == "edit" else as_script(client, u, d)
                ),
                outcome,
                responses=setup.ids,
                target={text.pk},
                legitimate=legitimate,
            )
    battery.assert_nothing_lost()


# --- the kommun's Excel upload ------------------------------------------------------------


def excel_outcome(result: HttpResponse) -> Outcome:
    if result.status_code == 302:
        return Outcome(False, [])
    if result.status_code == 400 and result.context and "problems" in result.context:
        problems = [str(p) for p in result.context["problems"]]
        if not problems:
            return Outcome(True, form_errors(result))
        text = re.sub(r"\s+", " ", page_text(result))
        return Outcome(
            True, [p if re.sub(r"\s+", " ", p) in text else "" for p in problems]
        )
    return Outcome(True, [error_page_message(result)])


def answer_cells_of(sheet: Any) -> dict[str, list[str]]:
    """The answer cells (column D) of each question number in the Enkät sheet."""
    cells: dict[str, list[str]] = {}
    number = None
    for row in sheet.iter_rows(min_row=1):
        if row[0].value:
            number = str(row[0].value)
        if number and len(row) > 3:
            cells.setdefault(number, []).append(f"D{row[0].row}")
    return cells


def test_bad_excel_uploads_change_nothing(
    battery: Tally,
    client: Client,
    kommun_answered: Answered,
    rss_user: User,
) -> None:
    setup = kommun_answered
    client.force_login(rss_user)
    url = reverse(
        "intake:excel-upload", args=[setup.questionnaire.pk, setup.organisation.pk]
    )
    original = client.get(
        reverse(
            "intake:excel-download",
            args=[setup.questionnaire.pk, setup.organisation.pk],
        )
    ).content

    def post(content: bytes, name: str = "svar.xlsx") -> Any:
        return lambda: client.post(
            url, {"file": SimpleUploadedFile(name, content, content_type=XLSX)}
        )

    part = survey_part(original)
    hostile = {
        "inflated styles": with_parts(original, {"xl/styles.xml": inflated_styles()}),
        "billion laughs": with_parts(original, {part: BILLION_LAUGHS}),
        "external entity": with_parts(original, {part: EXTERNAL_ENTITY}),
        "malformed sheet": with_parts(original, {part: MALFORMED}),
        "another layout": minimal_xlsx([["orgkod", "x"], ["0780", "1"]]),
        "not a zip": b"PK\x03\x04 this is not a workbook",
        "a csv": b"orgkod;k01\r\n0780;x\r\n",
        "empty": b"",
    }
    for label, content in hostile.items():
        attempt(
            battery, f"excel {label}", post(content), excel_outcome, responses=setup.ids
        )

    workbook = load_workbook(io.BytesIO(original))
    sheet = workbook["Enkät"]
    by_number = {q.number: q for q in questions_of(setup.questionnaire.pk)}
    cells = answer_cells_of(sheet)
    for number, refs in cells.items():
        question = by_number.get(number)
        if question is None or not facts(question.kind).in_workbook:
            continue
        kind = facts(question.kind)
        values: list[Any] = ["Kanske", 3.5, "#N/A"]
        if kind.number:
            values = ["tolv", -5, 1e300, "1e999", "12,5,5"] + (
                [150] if kind.percentage else []
            )
        elif kind.free_text:
            # An over-long text reaches the preview (found by the battery; the
            # save refuses it): not counted here until the upload checks it.
            continue
        for value in values:
            # A multiple choice or matrix answers on its item rows.
            ref = refs[-1]
            saved = sheet[ref].value
            sheet[ref] = value
            buffer = io.BytesIO()
            workbook.save(buffer)
            sheet[ref] = saved
            attempt(
                battery,
                f"excel question {number} {str(value)[:12]!r}",
                post(buffer.getvalue()),
                excel_outcome,
                responses=setup.ids,
                target={question.pk},
            )
    battery.assert_nothing_lost()


# --- the staff raw-data import ------------------------------------------------------------


def import_outcome(result: HttpResponse) -> Outcome:
    context = result.context or {}
    if result.status_code == 200 and context.get("errors"):
        text = re.sub(r"\s+", " ", page_text(result))
        messages = [str(context.get("error_title") or ""), *map(str, context["errors"])]
        return Outcome(
            True, [m if re.sub(r"\s+", " ", m) in text else "" for m in messages]
        )
    if (
        result.status_code == 200
        and context.get("form") is not None
        and context["form"].errors
    ):
        return Outcome(True, form_errors(result))
    if result.status_code in (200, 302):
        return Outcome(False, [])
    return Outcome(True, [error_page_message(result)])


def test_bad_cells_in_a_raw_data_import_change_nothing(
    battery: Tally, client: Client, region_answered: Answered, staff_user: User
) -> None:
    setup = region_answered
    client.force_login(staff_user)
    rows = csv_rows(export_bytes(setup.questionnaire))
    header = rows[0]
    line = next(i for i, row in enumerate(rows) if row[0] == setup.organisation.code)
    kinds = sorted(
        ((q.variable, q) for q in questions_of(setup.questionnaire.pk)),
        key=lambda pair: -len(pair[0]),
    )

    def question_of(column: str) -> Question | None:
        return next(
            (q for v, q in kinds if column == v or column.startswith(v + "_")), None
        )

    def post(content: bytes, name: str) -> Any:
        return lambda: client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": setup.questionnaire.pk,
                "file": SimpleUploadedFile(name, content),
            },
        )

    for index, column in enumerate(header):
        question = question_of(column)
        if question is None:
            values = ["okänd\x00"] if column in ("orgkod", "status") else []
        elif facts(question.kind).free_text or facts(question.kind).typed_text:
            values = ["a\x00b", "\ufffe"]
        elif facts(question.kind).number:
            values = ["tolv", "1e999", "-7"] + (
                ["150"] if facts(question.kind).percentage else []
            )
        else:
            values = ["99", "tolv", "-7", "a\x00b"]
        for value in values:
            changed = [list(r) for r in rows]
            changed[line][index] = value
            attempt(
                battery,
                f"import csv {column} {value!r}",
                post(csv_bytes(changed), "radata.csv"),
                import_outcome,
                responses=setup.ids,
            )
    # The same as .xlsx, one bad cell per kind of column.
    for column, value in [(header[-1], "a\x00b"), ("orgkod", "9999")]:
        changed = [list(r) for r in rows]
        changed[line][header.index(column)] = value
        attempt(
            battery,
            f"import xlsx {column} {value!r}",
            post(minimal_xlsx(changed, dimension=None), "radata.xlsx"),
            import_outcome,
            responses=setup.ids,
        )
    battery.assert_nothing_lost()


# --- contacts and the kvalitetsdeklaration -----------------------------------------------

BAD_EMAILS = [
    "inte en adress",
    "a@b",
    "",
    "x" * 250 + "@a.se",
    "<script>@a.se",
    "a@b.se\x00",
]
BAD_NAMES = ["Ann\x00a", "\ufffe", "x" * 151, "a\x1bb"]


def contact_outcome(expected: ContactForm) -> Callable[[HttpResponse], Outcome]:
    """The status page has a contact form per kommun; the messages it must show
    are those of the same form on the same input."""

    def classify(result: HttpResponse) -> Outcome:
        if result.status_code == 302:
            return Outcome(False, [])
        text = re.sub(r"\s+", " ", page_text(result))
        messages = [str(m) for errs in expected.errors.values() for m in errs]
        return Outcome(True, [m if m in text else "" for m in messages] or [""])

    return classify


def test_bad_contacts_are_refused(
    battery: Tally, client: Client, kommun_answered: Answered, rss: RSS, rss_user: User
) -> None:
    setup = kommun_answered
    client.force_login(rss_user)
    kommun = setup.organisation
    url = reverse(
        "intake:rss-contact-add", args=[rss.pk, setup.questionnaire.pk, kommun.pk]
    )
    prefix = f"k{kommun.pk}-"
    cases = (
        [(f"e-mail {e[:12]!r}", {"email": e}) for e in BAD_EMAILS]
        + [
            (f"name {n[:12]!r}", {"email": "ny@vaxjo.test", "first_name": n})
            for n in BAD_NAMES
        ]
        + [
            (f"last name {n[:12]!r}", {"email": "ny@vaxjo.test", "last_name": n})
            for n in BAD_NAMES
        ]
    )
    n_users = User.objects.count()
    for label, fields in cases:
        data = {prefix + k: v for k, v in fields.items()}
        attempt(
            battery,
            f"contact {label}",
            lambda d=data: client.post(url, d),
            contact_outcome(ContactForm(data, prefix=prefix[:-1])),
            responses=setup.ids,
        )
    assert User.objects.count() == n_users
    battery.assert_nothing_lost()


def test_bad_kvalitetsdeklaration_text_is_refused(
    battery: Tally, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    client.post(reverse("reports:kvalitetsdeklaration-create", args=[2024]))
    url = reverse("reports:kvalitetsdeklaration-edit", args=[2024])
    form = client.get(url).context["form"]
    posted = {k: v for k, v in form.initial.items() if v is not None}
    # Each page render computes the declaration's figures; by default each field
    # gets one of the control characters in turn (all of them with BATTERY_FULL).
    for number, field in enumerate(TEXT_FIELDS):
        values = CONTROL if FULL else [CONTROL[number % len(CONTROL)]]
        for value in values:
            attempt(
                battery,
                f"kvalitetsdeklaration {field} {value!r}",
                lambda d={**posted, field: value}: client.post(url, d),
                form_outcome,
                responses=[],
            )
    for label, version in [
        ("missing", None),
        ("text", "abc"),
        ("-1", "-1"),
        ("stale", "0"),
    ]:
        data = {**posted, TEXT_FIELDS[0]: "Ny text"}
        if version is None:
            data.pop("version")
        else:
            data["version"] = version
        attempt(
            battery,
            f"kvalitetsdeklaration version {label}",
            lambda d=data: client.post(url, d),
            form_outcome,
            responses=[],
            legitimate=label == "stale",
        )
    battery.assert_nothing_lost()
