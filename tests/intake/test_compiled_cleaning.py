"""The form's compiled cleaning (intake.forms `_fast_clean`, issue #20) cleans
exactly as Django's fields do: the same cleaned values, the same errors in the
same words, the same answers parsed and refused, for valid and invalid values
of every field of every questionnaire kind, a form built per structure against
one built afresh (which Django cleans field by field)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django import forms
from django.http import QueryDict

from intake.forms import ResponseForm
from intake.selectors import answer_cells, questions_of, structure_key
from surveys.models import Questionnaire
from surveys.sheet_text import UNHOLDABLE_MESSAGE
from tests.reports.conftest import (  # noqa: F401 - a fixture
    EveryKind,
    build_every_kind_questionnaire,
    every_kind,
)

pytestmark = pytest.mark.django_db

# What a browser (or someone not using one) may post into a text field: valid
# values, blanks, a NUL and a manual line break (refused and kept), a value
# over any field's length, a number with spaces around it.
TEXTS = [
    "",
    "   ",
    "12",
    "  59,5 ",
    "tolv",
    "a\x00b",
    "rad ett\x0brad två",
    "x" * 4001,
    "5" * 41,
    "1e20",
    "Ny text\nmed två rader",
]


# Values no field refuses, for posts meant to be clean.
CLEAN_TEXTS = ["", "   "]


def _choice_values(form_field: forms.ChoiceField, *, clean: bool) -> list[str]:
    codes = [str(code) for code, _ in form_field.choices]  # type: ignore[misc]
    if clean:
        return ["", *codes]
    return ["", "okänd", f" {codes[0]}", *codes]


def posted(form: ResponseForm, rng: random.Random, *, clean: bool) -> QueryDict:
    """Every field of `form` given a value drawn from what its kind may get
    (`clean`: only values it takes)."""
    data = QueryDict(mutable=True)
    data["version"] = "0"
    for name, form_field in form.fields.items():
        if name == "version":
            continue
        if isinstance(form_field, forms.MultipleChoiceField):
            values = _choice_values(form_field, clean=clean)
            data.setlist(name, rng.sample(values, 1 if clean else rng.randint(0, 3)))
        elif isinstance(form_field, forms.ChoiceField):
            value = rng.choice(_choice_values(form_field, clean=clean))
            if value or rng.random() < 0.5:
                data[name] = value
        elif isinstance(form_field, forms.BooleanField):
            value = rng.choice([None, "false"] if clean else [None, "on", "false", "0"])
            if value is not None:
                data[name] = value
        elif rng.random() < 0.8:
            data[name] = rng.choice(CLEAN_TEXTS if clean else TEXTS)
            if not clean and rng.random() < 0.1:
                # Posted twice (a forged form): the field reads the last.
                data.appendlist(name, rng.choice(TEXTS))
        elif not clean and rng.random() < 0.1:
            data.setlist(name, [])
    return data


def outcome(form: ResponseForm) -> dict[str, Any]:
    valid = form.is_valid()
    values = form.answer_values()
    return {
        "valid": valid,
        "cleaned": form.cleaned_data,
        "errors": form.errors.get_json_data(),
        "values": values,
        "cells": form.answer_cells,
        "refused": form.refused,
        "reasons": form.reasons,
    }


@pytest.mark.parametrize("which", ["region", "rss", "kommun", "every kind"])
def test_compiled_cleaning_is_djangos(which: str) -> None:
    if which == "every kind":
        questionnaire = build_every_kind_questionnaire()
    else:
        questionnaire = Questionnaire.objects.get(cycle__year=2024, key=which)
    questions = questions_of(questionnaire)
    key = structure_key(questionnaire)
    rng = random.Random(which)
    failing = 0
    for i in range(40):
        data = posted(
            ResponseForm(questions, key=key, answers={}, version=0),
            rng,
            clean=i % 2 == 0,
        )
        compiled = ResponseForm(questions, key=key, answers={}, version=0, data=data)
        fresh = ResponseForm(questions, answers={}, version=0, data=data)
        assert outcome(compiled) == outcome(fresh)
        failing += bool(compiled.errors)
        # The compiled cleaners did the work: Django builds a bound field for
        # each field it cleans, the compiled path only for the version and the
        # e-mail address, and for no value a cleaner could not vouch for.
        assert len(fresh._bound_fields_cache) == len(fresh.fields)
        assert len(compiled._bound_fields_cache) < len(compiled.fields) / 2
    # Both kinds of post were compared: with errors and without.
    assert 0 < failing < 40


def test_every_kind_of_field_has_a_compiled_cleaner() -> None:
    """Each field kind `question_fields` builds is cleaned by a compiled
    cleaner: one that fell back to Django for a whole kind would pass the
    comparison above and save nothing."""
    questionnaire = build_every_kind_questionnaire()
    form = ResponseForm(
        questions_of(questionnaire),
        key=structure_key(questionnaire),
        answers={},
        version=0,
    )
    kinds = {type(f).__name__ for f in form.fields.values()}
    assert kinds >= {"CharField", "ChoiceField", "MultipleChoiceField", "BooleanField"}
    # Django cleans the version (an IntegerField) and the e-mail address.
    assert set(form.fields) - set(form._cleaners) == {"version", "contact_email"}


def test_initial_values_are_those_of_a_form_built_afresh(
    every_kind: EveryKind,  # noqa: F811 - the fixture
) -> None:
    """What the fields show (the compiled form starts from what no answer
    shows and adds each answered question's own) is what a form built afresh
    shows, answered questions, unanswered ones and bases alike; and each form
    has its own copy."""
    questions = questions_of(every_kind.questionnaire)
    key = structure_key(every_kind.questionnaire)
    for response in (every_kind.sormland, every_kind.kronoberg, None):
        answers = answer_cells(response) if response else {}
        compiled = ResponseForm(questions, key=key, answers=answers, version=3)
        fresh = ResponseForm(questions, answers=answers, version=3)
        assert compiled.initial == fresh.initial
    first, second = (
        ResponseForm(questions, key=key, answers={}, version=0) for _ in range(2)
    )
    lists = [n for n, v in first.initial.items() if isinstance(v, list)]
    assert lists
    first.initial[lists[0]].append("x")
    assert second.initial[lists[0]] == []


def test_the_contact_fields_are_shared_and_refuse_what_a_sheet_cannot_hold() -> None:
    """The form's own fields are built once (not copied per form) and still
    refuse a NUL in the contact details with the service's own message."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    questions = questions_of(questionnaire)
    data = {"version": "0", "contact_name": "Ann\x00a", "contact_phone": "x" * 41}
    forms_ = [
        ResponseForm(
            questions,
            key=structure_key(questionnaire),
            answers={},
            version=0,
            data=data,
        ),
        ResponseForm(questions, answers={}, version=0, data=data),
    ]
    assert forms_[0].fields["contact_name"] is forms_[1].fields["contact_name"]
    for form in forms_:
        assert not form.is_valid()
        assert form.errors["contact_name"] == [UNHOLDABLE_MESSAGE]
        assert "40" in form.errors["contact_phone"][0]
