"""Writes of theme coding (docs/conventions.md §2, §6): every change is attributed
and leaves a history row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from intake.models import Response
from reports.themes.models import Coding, CodingChange, Theme, ThemeEvent, ThemeScheme
from reports.themes.selectors import answered_text
from surveys.errors import DomainError
from surveys.kinds import facts
from surveys.models import Question, User


def _scheme_for(question: Question) -> ThemeScheme:
    if not facts(question.kind).typed_text:
        raise DomainError("Bara frågor med fritextsvar kan kodas med teman.")
    scheme, _ = ThemeScheme.objects.get_or_create(question=question)
    return scheme


def _clean_name(scheme: ThemeScheme, name: str, *, theme: Theme | None) -> str:
    name = name.strip()
    if not name:
        raise DomainError("Ange temats namn.")
    taken = scheme.themes.filter(removed_at__isnull=True, name__iexact=name)
    if theme is not None:
        taken = taken.exclude(pk=theme.pk)
    if taken.exists():
        raise DomainError(f"Det finns redan ett tema som heter ”{name}”.")
    return name


@transaction.atomic
def add_theme(question: Question, *, name: str, description: str, actor: User) -> Theme:
    scheme = _scheme_for(question)
    name = _clean_name(scheme, name, theme=None)
    last = scheme.themes.aggregate(last=Max("position"))["last"] or 0
    theme = Theme(
        scheme=scheme,
        position=last + 1,
        name=name,
        description=description.strip(),
        created_by=actor,
    )
    theme.full_clean()
    theme.save()
    ThemeEvent.objects.create(
        scheme=scheme,
        theme=theme,
        kind=ThemeEvent.Kind.ADDED,
        detail={"name": name, "description": theme.description},
        actor=actor,
    )
    return theme


@transaction.atomic
def change_theme(theme: Theme, *, name: str, description: str, actor: User) -> Theme:
    """Rename or redescribe a theme; the codings keep it (they point at the row)."""
    name = _clean_name(theme.scheme, name, theme=theme)
    old = {"name": theme.name, "description": theme.description}
    theme.name = name
    theme.description = description.strip()
    theme.full_clean()
    theme.save(update_fields=["name", "description"])
    ThemeEvent.objects.create(
        scheme=theme.scheme,
        theme=theme,
        kind=ThemeEvent.Kind.CHANGED,
        detail={"old": old, "new": {"name": name, "description": theme.description}},
        actor=actor,
    )
    return theme


@transaction.atomic
def move_theme(theme: Theme, *, up: bool, actor: User) -> None:
    """Swap the theme with its neighbour above (or below) among the kept themes."""
    siblings = theme.scheme.themes.filter(removed_at__isnull=True)
    neighbour = (
        siblings.filter(position__lt=theme.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=theme.position).order_by("position").first()
    )
    if neighbour is None:
        return
    theme.position, neighbour.position = neighbour.position, theme.position
    theme.save(update_fields=["position"])
    neighbour.save(update_fields=["position"])
    ThemeEvent.objects.create(
        scheme=theme.scheme,
        theme=theme,
        kind=ThemeEvent.Kind.MOVED,
        detail={"position": theme.position},
        actor=actor,
    )


@transaction.atomic
def remove_theme(theme: Theme, *, actor: User) -> None:
    """Take a theme out of use. The row and the codings that used it stay (the
    history keeps them recoverable); tables and exports leave it out."""
    if theme.removed_at is not None:
        return
    theme.removed_at = timezone.now()
    theme.save(update_fields=["removed_at"])
    ThemeEvent.objects.create(
        scheme=theme.scheme,
        theme=theme,
        kind=ThemeEvent.Kind.REMOVED,
        detail={"name": theme.name},
        actor=actor,
    )


@transaction.atomic
def code_answer(
    scheme: ThemeScheme, *, response: Response, theme_ids: Iterable[int], actor: User
) -> Coding:
    """The actor's own coding of one answer: exactly these themes (maybe none).
    Each coder's coding is stored apart, so two coders code independently."""
    if not answered_text(scheme.question).filter(response=response).exists():
        raise DomainError("Svaret finns inte bland de inskickade fritextsvaren.")
    wanted = set(theme_ids)
    themes = list(scheme.themes.filter(removed_at__isnull=True, pk__in=wanted))
    if len(themes) != len(wanted):
        raise DomainError("Ett av de valda temana finns inte längre. Ladda om sidan.")
    coding, created = Coding.objects.get_or_create(
        scheme=scheme, response=response, coder=actor
    )
    old = sorted(coding.themes.values_list("pk", flat=True)) if not created else []
    new = sorted(t.pk for t in themes)
    if created or old != new:
        coding.themes.set(themes)
        coding.save(update_fields=["updated_at"])
        CodingChange.objects.create(
            coding=coding, old_themes=old, new_themes=new, changed_by=actor
        )
    return coding


@transaction.atomic
def set_agreed_coder(scheme: ThemeScheme, *, coder: User | None, actor: User) -> None:
    """Mark whose coding is fastställd: the one that tables and exports count."""
    if coder is not None and not scheme.codings.filter(coder=coder).exists():
        raise DomainError("Den valda kodaren har inte kodat några svar på frågan.")
    scheme.agreed_coder = coder
    scheme.save(update_fields=["agreed_coder"])
    ThemeEvent.objects.create(
        scheme=scheme,
        kind=ThemeEvent.Kind.AGREED,
        detail={
            "coder": coder.pk if coder else None,
            "email": coder.email if coder else "",
        },
        actor=actor,
    )
