"""The staff form that requests an export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from reports.exporters import FORMATS, Target, export_kinds, parse_option_pairs
from surveys.models import Cycle, Questionnaire


def _target_choices() -> tuple[list[Any], dict[str, Target]]:
    """Grouped by cycle, newest first: the whole cycle, then each questionnaire.
    One query."""
    questionnaires = Questionnaire.objects.select_related("cycle").order_by(
        "-cycle__year", "is_supplementary", "audience", "key"
    )
    groups: dict[int, tuple[Cycle, list[tuple[str, str]]]] = {}
    targets: dict[str, Target] = {}
    for questionnaire in questionnaires:
        cycle = questionnaire.cycle
        if cycle.pk not in groups:
            value = f"cycle:{cycle.pk}"
            groups[cycle.pk] = (cycle, [(value, f"Hela omgången {cycle.year}")])
            targets[value] = cycle
        value = f"questionnaire:{questionnaire.pk}"
        groups[cycle.pk][1].append((value, questionnaire.title))
        targets[value] = questionnaire
    choices: list[Any] = [("", "Välj enkät eller omgång")]
    choices += [(cycle.name, options) for cycle, options in groups.values()]
    return choices, targets


class ExportRequestForm(forms.Form):
    target = forms.ChoiceField(
        label="Underlag",
        error_messages={
            "required": "Välj en enkät eller en omgång.",
            "invalid_choice": "Välj en enkät eller en omgång i listan.",
        },
    )
    kind = forms.ChoiceField(
        label="Export",
        widget=forms.RadioSelect,
        error_messages={"required": "Välj vilken export du vill ha."},
    )
    format = forms.ChoiceField(
        label="Filformat",
        widget=forms.RadioSelect,
        error_messages={"required": "Välj ett filformat."},
    )
    options = forms.CharField(
        label="Inställningar (valfritt)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="En per rad som nyckel=värde, t.ex. urval=ej-inskickade.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices, self.targets = _target_choices()
        self.fields["target"].choices = choices  # type: ignore[attr-defined]
        kinds = export_kinds()
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]  # type: ignore[attr-defined]
        offered = {f for k in kinds for f in k.formats}
        self.fields["format"].choices = [  # type: ignore[attr-defined]
            (f.key, f.label) for f in FORMATS.values() if f.key in offered
        ]

    def clean_target(self) -> Target:
        return self.targets[self.cleaned_data["target"]]

    def clean_options(self) -> dict[str, str]:
        try:
            return parse_option_pairs(self.cleaned_data["options"].splitlines())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
