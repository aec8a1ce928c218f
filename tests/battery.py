"""The fault and bad-input battery's bookkeeping (issue #13 point 10).

`Tally` counts one test's tries; `attempt` makes one try inside a savepoint that
is rolled back afterwards (so every try starts from the same answers without
rebuilding them) and classifies it:

- clear: refused with a Swedish message that names the problem;
- unclear: refused, but the message is empty, not Swedish or technical;
- server error: any 5xx, or an exception out of the view;
- answer lost: a stored answer of another question changed or disappeared, or
  the refused question's stored answer disappeared;
- accepted silently: the invalid value was stored, or the request was taken as
  a success although the value was not stored.

Each test records its tally as a user property ("battery"); tests/conftest.py
adds them up, also across xdist workers, and prints the totals at the end.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.db import transaction
from django.http import HttpResponse

from intake.models import Answer

# Words a Swedish message is all but certain to contain, beside å, ä and ö.
SWEDISH_WORDS = frozenset(
    [
        "och",
        "att",
        "inte",
        "är",
        "en",
        "ett",
        "som",
        "kan",
        "ska",
        "måste",
        "ange",
        "välj",
        "skriv",
        "filen",
        "värdet",
        "talet",
        "svaret",
        "svar",
        "finns",
        "det",
        "den",
        "de",
        "med",
        "på",
        "till",
        "av",
        "har",
        "sidan",
        "fältet",
        "frågan",
        "högst",
        "minst",
        "texten",
        "tecken",
        "raden",
        "rader",
        "kolumnen",
        "kolumn",
        "eller",
        "igen",
        "var",
        "vara",
        "mellan",
        "procent",
        "antal",
        "heltal",
        "tal",
        "saknas",
        "fel",
        "får",
        "sparas",
        "sparat",
        "bara",
    ]
)
# English or technical text a user must never see.
TECHNICAL = re.compile(
    r"\b(traceback|error|exception|invalid|none|null|nan|this field|enter a|"
    r"select a|ensure this|decimal|integrity|operational|keyerror|valueerror)\b",
    re.IGNORECASE,
)
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def is_clear_swedish(message: str) -> bool:
    text = message.strip()
    if not text or TECHNICAL.search(text):
        return False
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return bool(re.search("[åäöÅÄÖ]", text)) or bool(words & SWEDISH_WORDS)


def page_text(response: HttpResponse) -> str:
    """The text a reader sees on an HTML page: no tags, scripts or attributes."""
    body = response.content.decode(errors="replace")
    return html.unescape(TAG.sub(" ", SCRIPT.sub(" ", body)))


@dataclass
class Tally:
    inputs: int = 0
    clear: int = 0
    unclear: int = 0
    server_errors: int = 0
    answers_lost: int = 0
    accepted: int = 0
    emails_expected: int = 0
    emails_sent_once: int = 0
    email_duplicates: int = 0
    tasks_lost: int = 0
    # What went wrong, for the failure message (not part of the totals).
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "problems"}

    def note(self, kind: str, label: str, detail: str = "") -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 40:
            self.problems.append(f"{kind}: {label} {detail}".strip()[:400])

    def assert_nothing_lost(self, *, allow_accepted: bool = False) -> None:
        bad = (
            self.server_errors
            or self.answers_lost
            or self.tasks_lost
            or self.unclear
            or self.email_duplicates
            or (self.accepted and not allow_accepted)
        )
        assert not bad, "\n".join([str(self.counts()), *self.problems])


TALLY_FIELDS = [f.name for f in fields(Tally) if f.name != "problems"]


def add_up(total: dict[str, int], counts: dict[str, int]) -> None:
    for name in TALLY_FIELDS:
        total[name] = total.get(name, 0) + int(counts.get(name, 0))


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def summary_line(total: dict[str, int]) -> str:
    line = (
        f"Battery: {thousands(total.get('inputs', 0))} inputs tried, "
        f"{thousands(total.get('clear', 0))} clear Swedish errors, "
        f"{total.get('unclear', 0)} unclear messages, "
        f"{total.get('server_errors', 0)} server errors (500), "
        f"{total.get('answers_lost', 0)} answers lost, "
        f"{total.get('accepted', 0)} accepted silently, "
        f"{total.get('tasks_lost', 0)} tasks lost"
    )
    if total.get("emails_expected"):
        line += (
            f" (faults: {total['emails_expected']} e-mails, "
            f"{total.get('emails_sent_once', 0)} sent once, "
            f"{total.get('email_duplicates', 0)} duplicates)"
        )
    return line


Snapshot = dict[tuple[int, int, str], tuple[Any, ...]]


def snapshot(response_ids: Iterable[int]) -> Snapshot:
    """Every stored answer cell of the responses, by (response, question, slot)."""
    rows = Answer.objects.filter(response_id__in=list(response_ids)).values_list(
        "response_id",
        "question_id",
        "slot",
        "row_id",
        "option_id",
        "number",
        "text",
        "escaped",
    )
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}


@dataclass(frozen=True)
class Outcome:
    """What the endpoint said: refused (with its messages) or taken."""

    refused: bool
    messages: list[str]


Classifier = Callable[[HttpResponse], Outcome]


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def attempt(
    tally: Tally,
    label: str,
    send: Callable[[], HttpResponse],
    classify: Classifier,
    *,
    responses: Iterable[int],
    target: set[int] | None = None,
    legitimate: bool = False,
) -> None:
    """One bad input: `send` posts it, `classify` reads the answer; the stored
    answers of `responses` are compared before and after. `target`: the ids of
    the questions the bad value was aimed at (their answer may not be stored,
    but a change there is "accepted", elsewhere "lost"). `legitimate`: the
    input may be taken (e.g. a stale base that merges cleanly), as long as
    nothing is lost."""
    ids = list(responses)
    tally.inputs += 1
    with rolled_back():
        before = snapshot(ids)
        try:
            result = send()
        except Exception as exc:  # the test client re-raises the view's exception
            tally.note("server_errors", label, repr(exc)[:200])
            return
        if result.status_code >= 500:
            tally.note("server_errors", label, f"status {result.status_code}")
            return
        after = snapshot(ids)
        targets = target or set()
        lost = [
            key
            for key, value in before.items()
            if (key[1] not in targets and after.get(key) != value)
            or (key[1] in targets and key not in after)
        ]
        added = [k for k in after if k not in before and k[1] not in targets]
        if lost or added:
            tally.note("answers_lost", label, f"cells {(lost + added)[:5]}")
            return
        changed = any(
            before.get(k) != after.get(k)
            for k in set(before) | set(after)
            if k[1] in targets
        )
        try:
            outcome = classify(result)
        except Exception as exc:  # an answer the endpoint should never give
            tally.note("unclear", label, f"status {result.status_code}: {exc!r}")
            return
        if not outcome.refused:
            if legitimate:
                tally.clear += 1
            else:
                tally.note(
                    "accepted",
                    label,
                    "stored" if changed else f"taken, status {result.status_code}",
                )
            return
        if changed and not legitimate:
            tally.note("accepted", label, "stored although refused")
            return
        if outcome.messages and all(is_clear_swedish(m) for m in outcome.messages):
            tally.clear += 1
        else:
            tally.note("unclear", label, repr(outcome.messages)[:300])
