"""The form's questions as HTML, each rendered once per questionnaire content and
answer state (issue #20).

Rendering `intake/_question.html` 60+ times was most of a form page's time, yet a
question's HTML depends only on its definition and on a few values: whether it is
shown, the fingerprint of the stored answer, the values in its fields, its
messages. So the HTML is kept per process under exactly those: the key holds the
questionnaire's content hash and `loaded_at` (as `intake.selectors.questions_of`
does, so a reloaded questionnaire is never served stale) and every value the
template reads that is not part of the definition (`_state`). A yes/no question
has three states whatever the organisation; a text question one per distinct
text, bounded by the LRU.

Values the template only prints (the base fingerprint of every question, the
text of a number or text field) are not part of the key: the fragment is
rendered once with a marker in their place and kept as the pieces between the
markers, and each page joins the pieces with the values, escaped as the
template's `{{ value }}` escapes a string. So the page after a save, whose
typed answers are all new, still takes every question from the cache.

Blocks whose HTML depends on more than that (an RSS's live kommun counts and
texts, a collision with someone else's save) are left to the template's include.

A page shown again unchanged (the same questionnaire content, field values,
follow-ups shown and notices, and whether it is read-only) takes its form's
body whole (`shared_body`: the contact fields and every section, the part of
`intake/_form_body.html`), without building a block per question or running
the template's loops over the sections and contact fields: the key holds all
of those values.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.dispatch import receiver
from django.forms import BoundField
from django.template.loader import get_template
from django.utils.autoreload import file_changed
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from intake.forms import QuestionBlock
from intake.selectors import StructureKey
from surveys.kinds import facts

TEMPLATE = "intake/_question.html"
# About 2 KiB each: some 16 MiB per process at most.
MAX_FRAGMENTS = 8192

# Markers in place of the printed values while a fragment is rendered: private-use
# characters the escaping leaves alone, with a token of this process so that no
# questionnaire text can contain one by chance.
_TOKEN = secrets.token_hex(8)
_MARKER = re.compile(f"\ue000{_TOKEN}(\\d+)\ue001")
# A fragment: the text between the markers and, after each piece but the last,
# the number of the value that goes there.
Pieces = tuple[tuple[str, ...], tuple[int, ...]]
# The bound fields whose values are printed, with their values, in marker order.
Printed = list[tuple[BoundField, str]]

_fragments: OrderedDict[Hashable, Pieces] = OrderedDict()
# Whole pages' bodies, bounded by their characters (a region page's is some
# 70 000): about 32 MiB per process at most.
MAX_PAGE_CHARACTERS = 32_000_000
BODY_TEMPLATE = "intake/_form_body.html"
_pages: OrderedDict[Hashable, SafeString] = OrderedDict()
_pages_size = 0
_lock = threading.Lock()


def render_blocks(key: StructureKey, blocks: Sequence[QuestionBlock]) -> None:
    """Give every block that may be shared its HTML (`block.html`); the others keep
    an empty `html` and the page includes the template for them."""
    template = None
    for block in blocks:
        printed = _printed_fields(block)
        state = _state(block, printed)
        if state is None:
            continue
        cache_key = (key, block.question.pk, state)
        with _lock:
            pieces = _fragments.get(cache_key)
            if pieces is not None:
                _fragments.move_to_end(cache_key)
        if pieces is None:
            template = template or get_template(TEMPLATE)
            pieces = _split(template.render({"block": _marked(block, printed)}))
            with _lock:
                _fragments[cache_key] = pieces
                if len(_fragments) > MAX_FRAGMENTS:
                    _fragments.popitem(last=False)
        # As the template prints a string: `conditional_escape` after `str`.
        block.html = _join(pieces, [conditional_escape(v) for _, v in printed])


def page_key(
    key: StructureKey,
    form: Any,
    shown: set[int],
    notices: Mapping[int, list[str]] | None,
    *,
    read_only: bool,
) -> Hashable:
    """What an unbound form's body depends on beyond the structure: every
    initial value of its fields (the page's version aside, which the body does
    not show), the follow-ups shown, the notices and whether it is read-only."""
    return (
        key,
        tuple(
            (name, _hashable(value))
            for name, value in form.initial.items()
            if name != "version"
        ),
        frozenset(shown),
        tuple(sorted((pk, tuple(texts)) for pk, texts in (notices or {}).items())),
        read_only,
    )


def shared_body(page: Hashable) -> SafeString | None:
    """The body of a page shown before, as `keep_body` kept it."""
    with _lock:
        body = _pages.get(page)
        if body is not None:
            _pages.move_to_end(page)
    return body


def render_body(context: dict[str, Any], request: Any) -> SafeString:
    """The form's body (`intake/_form_body.html`) with the page's own context, as
    the page's template would include it."""
    return mark_safe(  # noqa: S308 - the template's output
        get_template(BODY_TEMPLATE).render(context, request)
    )


def keep_body(page: Hashable, body: SafeString) -> None:
    global _pages_size
    with _lock:
        if page in _pages:
            return
        _pages[page] = body
        _pages_size += len(body)
        while _pages_size > MAX_PAGE_CHARACTERS and _pages:
            _, dropped = _pages.popitem(last=False)
            _pages_size -= len(dropped)


def forget_fragments() -> None:
    """Drop every rendered question and page (tests start each case cold)."""
    global _pages_size
    with _lock:
        _fragments.clear()
        _pages.clear()
        _pages_size = 0


@receiver(file_changed, dispatch_uid="intake.fragments.forget_fragments")
def _forget_on_template_change(sender: object, file_path: Path, **kwargs: Any) -> None:
    """runserver keeps its process when a template changes (Django resets the
    template loaders instead): the fragments rendered from the old one go too."""
    if Path(file_path).suffix == ".html":
        forget_fragments()


def _state(block: QuestionBlock, printed: Printed) -> Hashable | None:
    """Everything `intake/_question.html` reads that the definition does not fix,
    or None when the block shows more than that (live RSS data, a collision)."""
    if (
        block.collision is not None
        or block.kommun_texts is not None
        or block.count_rows
        or facts(block.question.kind).kommun_counts
    ):
        return None
    printed_ids = {id(f) for f, _ in printed}
    return (
        block.shown,
        tuple(
            "printed" if id(f) in printed_ids else _hashable(f.value())
            for f in [block.base_field, *block.fields]
            if f is not None
        ),
        _hashable(block.escape_field.value())
        if block.escape_field is not None
        else None,
        tuple(block.errors),
        tuple(block.notices),
    )


def _hashable(value: Any) -> Hashable:
    # A multiple choice's value is a list; the type stays in the key so that
    # 1 and "1" (both shown as 1) never share an entry by accident.
    if isinstance(value, list | tuple):
        return ("seq", *(_hashable(v) for v in value))
    return (type(value).__name__, value)


def _printed_fields(block: QuestionBlock) -> Printed:
    """The bound fields whose string value `intake/_question.html` only prints
    (`{{ field.value|default_if_none:'' }}`): the base fingerprint, and the field
    of a number or text question. Any other value (a choice, a flag, a value
    that is not a string, which the template would localise) stays in the key."""
    fields: list[BoundField | None] = [block.base_field]
    kind = facts(block.question.kind)
    if (kind.number or kind.typed_text) and len(block.fields) == 1:
        fields.append(block.fields[0])
    values = [(f, f.value()) for f in fields if f is not None]
    return [(f, value) for f, value in values if isinstance(value, str)]


def _marked(block: QuestionBlock, printed: Printed) -> QuestionBlock:
    """The block to render once for all values: a marker in place of each
    printed value, numbered in the order of `printed`."""
    marked: dict[int, Any] = {
        id(f): _Marked(f, f"\ue000{_TOKEN}{i}\ue001")
        for i, (f, _) in enumerate(printed)
    }
    return replace(
        block,
        base_field=marked.get(id(block.base_field), block.base_field),
        fields=[marked.get(id(f), f) for f in block.fields],
    )


class _Marked:
    """A bound field whose value is a marker; everything else is the field's."""

    def __init__(self, field: Any, marker: str) -> None:
        self._field = field
        self._marker = marker

    def value(self) -> str:
        return self._marker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._field, name)


def _split(html: str) -> Pieces:
    parts = _MARKER.split(html)
    return tuple(parts[0::2]), tuple(int(i) for i in parts[1::2])


def _join(pieces: Pieces, values: Sequence[str]) -> SafeString:
    texts, slots = pieces
    out = [texts[0]]
    for slot, text in zip(slots, texts[1:], strict=True):
        out.append(values[slot])
        out.append(text)
    return mark_safe("".join(out))  # noqa: S308 - the template escaped the rest, escape() the values
