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

Blocks whose HTML depends on more than that (an RSS's live kommun counts and
texts, a collision with someone else's save) are left to the template's include.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from django.dispatch import receiver
from django.template.loader import get_template
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe

from intake.forms import QuestionBlock
from intake.selectors import StructureKey
from surveys.kinds import facts

TEMPLATE = "intake/_question.html"
# About 2 KiB each: some 16 MiB per process at most.
MAX_FRAGMENTS = 8192

_fragments: OrderedDict[Hashable, SafeString] = OrderedDict()
_lock = threading.Lock()


def render_blocks(key: StructureKey, blocks: Sequence[QuestionBlock]) -> None:
    """Give every block that may be shared its HTML (`block.html`); the others keep
    an empty `html` and the page includes the template for them."""
    template = None
    for block in blocks:
        state = _state(block)
        if state is None:
            continue
        cache_key = (key, block.question.pk, state)
        with _lock:
            html = _fragments.get(cache_key)
            if html is not None:
                _fragments.move_to_end(cache_key)
        if html is None:
            template = template or get_template(TEMPLATE)
            html = mark_safe(template.render({"block": block}))  # noqa: S308 - the template escapes
            with _lock:
                _fragments[cache_key] = html
                if len(_fragments) > MAX_FRAGMENTS:
                    _fragments.popitem(last=False)
        block.html = html


def forget_fragments() -> None:
    """Drop every rendered question (tests start each case cold)."""
    with _lock:
        _fragments.clear()


@receiver(file_changed, dispatch_uid="intake.fragments.forget_fragments")
def _forget_on_template_change(sender: object, file_path: Path, **kwargs: Any) -> None:
    """runserver keeps its process when a template changes (Django resets the
    template loaders instead): the fragments rendered from the old one go too."""
    if Path(file_path).suffix == ".html":
        forget_fragments()


def _state(block: QuestionBlock) -> Hashable | None:
    """Everything `intake/_question.html` reads that the definition does not fix,
    or None when the block shows more than that (live RSS data, a collision)."""
    if (
        block.collision is not None
        or block.kommun_texts is not None
        or block.count_rows
        or facts(block.question.kind).kommun_counts
    ):
        return None
    return (
        block.shown,
        block.base_field.value() if block.base_field is not None else None,
        tuple(_hashable(f.value()) for f in block.fields),
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
