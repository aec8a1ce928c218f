"""Staff's pages for the next cycle (issue #19): create it from the current one,
its revision report (page and CSV), and the questions of a questionnaire under
preparation: reword, change alternatives, add, remove, and download the
definition file to commit.

Thin views (docs/conventions.md §4): staff only through the cycle gateway
(surveys.permissions; 403 for others), forms parse, surveys.services.next_cycle
writes and records. A refused edit re-renders the form with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from surveys.definition_forms import (
    AddQuestionForm,
    ChoicesForm,
    NextCycleForm,
    RemoveForm,
    WordingForm,
    choice_text,
)
from surveys.definitions.editing import reoptioned, reworded, with_added, without
from surveys.definitions.records import QuestionDef, QuestionnaireDef
from surveys.errors import shown_errors
from surveys.kinds import LISTED_OPTION_KINDS, QuestionKind
from surveys.models import Cycle, DefinitionChange, Questionnaire, User
from surveys.models.questionnaires import Comparability, ReferencePeriod
from surveys.permissions import questionnaire_or_404, require_cycle_staff
from surveys.revision_report import revision_csv, revision_report
from surveys.services.next_cycle import (
    Edit,
    create_next_cycle,
    definition_file,
    edit_questionnaire,
    editable_problem,
    first_opening,
)
from surveys.stored_definitions import stored_definition


def _staff(request: HttpRequest) -> User:
    return require_cycle_staff(
        request, refusal="Bara Socialstyrelsen förbereder omgångarnas enkäter."
    )


def _cycle_or_404(year: int) -> Cycle:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404("Omgången finns inte.")
    return cycle


@login_required
@require_http_methods(["GET", "POST"])
def cycle_next(request: HttpRequest, year: int) -> HttpResponse:
    """GET asks for confirmation; POST creates cycle year+1 from `year`."""
    user = _staff(request)
    cycle = _cycle_or_404(year)
    form = NextCycleForm(
        request.POST if request.method == "POST" else None,
        initial={"opens_on": first_opening(cycle)},
    )
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            created = create_next_cycle(
                cycle, actor=user, opens_on=form.cleaned_data["opens_on"]
            )
        if outcome.ok:
            messages.success(
                request,
                f"Omgång {created.year} är skapad. Enkäterna är under förberedelse "
                "och kan ändras tills de öppnar.",
            )
            return redirect("surveys:cycle-revision", created.year)
    return render(
        request,
        "surveys/cycle_next.html",
        {
            "cycle": cycle,
            "next_year": cycle.year + 1,
            "exists": Cycle.objects.filter(year=cycle.year + 1).exists(),
            "questionnaires": cycle.questionnaires.order_by(
                "is_supplementary", "audience", "key"
            ),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def cycle_revision(request: HttpRequest, year: int) -> HttpResponse:
    _staff(request)
    cycle = _cycle_or_404(year)
    return render(
        request,
        "surveys/cycle_revision.html",
        {"cycle": cycle, "report": revision_report(cycle)},
    )


@login_required
def cycle_revision_csv(request: HttpRequest, year: int) -> HttpResponse:
    _staff(request)
    cycle = _cycle_or_404(year)
    response = HttpResponse(
        revision_csv(revision_report(cycle)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="revision-{cycle.year}.csv"'
    )
    return response


@login_required
def questionnaire_definition(
    request: HttpRequest, questionnaire_id: int
) -> HttpResponse:
    _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    definition = stored_definition(questionnaire)
    sections = [
        (
            section,
            [
                (q, Comparability(q.comparability).label)
                for q in definition.questions
                if q.section_key == section.key
            ],
        )
        for section in definition.sections
    ]
    return render(
        request,
        "surveys/definition.html",
        {
            "questionnaire": questionnaire,
            "sections": sections,
            "locked": editable_problem(questionnaire),
            "changes": questionnaire.definition_changes.select_related("actor")[:50],
        },
    )


@login_required
def questionnaire_definition_file(
    request: HttpRequest, questionnaire_id: int
) -> HttpResponse:
    _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    response = HttpResponse(
        definition_file(stored_definition(questionnaire)),
        content_type="application/yaml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{questionnaire.key}.yaml"'
    return response


Planner = Callable[[forms.Form, "QuestionDef"], "PlannedEdit"]


def _question(definition: QuestionnaireDef, variable: str) -> QuestionDef:
    question = definition.question(variable)
    if question is None:
        raise Http404("Frågan finns inte.")
    return question


def _choice_form(
    question: QuestionDef, questionnaire: Questionnaire, data: Any = None
) -> ChoicesForm | None:
    if question.kind not in LISTED_OPTION_KINDS:
        return None
    return ChoicesForm(
        data,
        auto_id="alternativ_%s",
        question=question,
        initial={
            "seen": questionnaire.content_hash,
            "options": choice_text(question.options),
            "rows": choice_text(question.rows),
        },
    )


@dataclass(frozen=True)
class PlannedEdit:
    edit: Edit
    kind: DefinitionChange.Kind
    before: dict[str, Any]
    after: dict[str, Any]


def _wording(form: forms.Form, question: QuestionDef) -> PlannedEdit:
    text, label = form.cleaned_data["text"], form.cleaned_data["label"]
    return PlannedEdit(
        lambda d: reworded(d, question, text=text, label=label),
        DefinitionChange.Kind.REWORDED,
        {"text": question.text, "label": question.label},
        {"text": text, "label": label},
    )


def _alternatives(form: forms.Form, question: QuestionDef) -> PlannedEdit:
    options = form.cleaned_data["options"]
    rows = form.cleaned_data["rows"] if "rows" in form.fields else question.rows
    return PlannedEdit(
        lambda d: reoptioned(d, question, options=options, rows=rows),
        DefinitionChange.Kind.REOPTIONED,
        {"options": choice_text(question.options), "rows": choice_text(question.rows)},
        {"options": choice_text(options), "rows": choice_text(rows)},
    )


def _removal(form: forms.Form, question: QuestionDef) -> PlannedEdit:
    return PlannedEdit(
        lambda d: without(d, question),
        DefinitionChange.Kind.REMOVED,
        {"text": question.text, "label": question.label},
        {},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """One question: its wording, its alternatives, its removal; each its own
    form, posted with `action` and answered on this page when refused."""
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    definition = stored_definition(questionnaire)
    question = _question(definition, variable)
    seen = {"seen": questionnaire.content_hash}
    data = request.POST if request.method == "POST" else None
    # A post names its form; one that names none is refused like an unknown one.
    action = data.get("action", "") if data is not None else None
    # Three forms on one page: ids of their own (auto_id), names as posted.
    wording = WordingForm(
        data if action == "formulering" else None,
        auto_id="formulering_%s",
        initial={**seen, "text": question.text, "label": question.label},
    )
    choices = _choice_form(
        question, questionnaire, data if action == "alternativ" else None
    )
    removal = RemoveForm(
        data if action == "ta-bort" else None, auto_id="ta_bort_%s", initial=seen
    )
    plans: dict[str, tuple[forms.Form | None, Planner]] = {
        "formulering": (wording, _wording),
        "alternativ": (choices, _alternatives),
        "ta-bort": (removal, _removal),
    }
    posted: forms.Form | None = None
    if action is not None:
        posted, planner = plans.get(action, (None, _removal))
        if posted is None:
            raise Http404("Åtgärden finns inte.")
        if posted.is_valid():
            plan = planner(posted, question)
            with shown_errors(form=posted) as outcome:
                edit_questionnaire(
                    questionnaire,
                    plan.edit,
                    seen_hash=posted.cleaned_data["seen"],
                    actor=user,
                    change=plan.kind,
                    question=(question.number, question.variable),
                    before=plan.before,
                    after=plan.after,
                )
            if outcome.ok:
                messages.success(
                    request, f"Fråga {question.number}: {plan.kind.label.lower()}."
                )
                return redirect("surveys:questionnaire-definition", questionnaire.pk)
    return render(
        request,
        "surveys/question_edit.html",
        {
            "questionnaire": questionnaire,
            "question": question,
            "locked": editable_problem(questionnaire),
            "wording": wording,
            "choices": choices,
            "removal": removal,
            "posted": posted,
        },
        status=400 if posted is not None and posted.errors else 200,
    )


def _add_form(
    definition: QuestionnaireDef, questionnaire: Questionnaire, data: Any = None
) -> AddQuestionForm:
    return AddQuestionForm(
        data,
        sections=[(s.key, s.title) for s in definition.sections],
        positions=[
            (q.variable, f"{q.number}. {q.label}") for q in definition.questions
        ],
        initial={"seen": questionnaire.content_hash},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    definition = stored_definition(questionnaire)
    form = _add_form(
        definition, questionnaire, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        after = data["after"] or None
        if (
            after is not None
            and _question(definition, after).section_key != data["section"]
        ):
            form.add_error("after", "Frågan finns inte i det valda avsnittet.")
        else:
            question = _new_question(data)
            with shown_errors(form=form) as outcome:
                edit_questionnaire(
                    questionnaire,
                    lambda d: with_added(d, question, after=after),
                    seen_hash=data["seen"],
                    actor=user,
                    change=DefinitionChange.Kind.ADDED,
                    question=(question.number, question.variable),
                    after={"text": question.text, "label": question.label},
                )
            if outcome.ok:
                messages.success(request, f"Fråga {question.number} är tillagd.")
                return redirect("surveys:questionnaire-definition", questionnaire.pk)
    return render(
        request,
        "surveys/question_add.html",
        {
            "questionnaire": questionnaire,
            "locked": editable_problem(questionnaire),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _new_question(data: dict[str, Any]) -> QuestionDef:
    """A question as a file would declare it with only the fields the page asks
    for; the defaults a kind implies come when it is parsed."""
    return QuestionDef(
        section_key=data["section"],
        position=0,
        number=data["number"].strip(),
        variable=data["variable"].strip(),
        kind=QuestionKind(data["kind"]),
        text=data["text"].strip(),
        label=data["label"].strip(),
        help_text="",
        required=True,
        parent=None,
        show_if=None,
        options=data["options"],
        rows=data["rows"],
        escape_label="",
        min_value=None,
        max_value=None,
        unit="",
        max_length=None,
        national_figure="",
        reference_period=ReferencePeriod.CALENDAR_YEAR.value,
        reference_text="",
        reconstructed=False,
        source_note="",
        lineage_key=data["variable"].strip(),
        comparability=Comparability.NEW.value,
        source_question=None,
    )
