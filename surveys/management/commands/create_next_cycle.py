"""python manage.py create_next_cycle --from 2024 [--opens-on YYYY-MM-DD]
[--actor EMAIL] [--write-files DIR] [--files-only]: the next cycle from the current one (issue
#19), and/or its stored definitions written as files."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.auth import user_by_email
from surveys.errors import DomainError, error_text
from surveys.models import Cycle, User
from surveys.services.next_cycle import create_next_cycle, write_definition_files
from surveys.services.questionnaires import DEFINITIONS_DIR


class Command(BaseCommand):
    help = (
        "Skapar nästa omgång från den angivna med alla enkäter kopierade "
        "(linjenycklar behålls, datum ett år senare), och skriver den som filer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="year", type=int, required=True, help="omgången att kopiera"
        )
        parser.add_argument(
            "--actor",
            help="e-post till den som skapar omgången (standard: den enda aktiva "
            "superanvändaren)",
        )
        parser.add_argument(
            "--write-files",
            nargs="?",
            const=str(DEFINITIONS_DIR),
            type=Path,
            help="skriv den nya omgångens definitionsfiler i KATALOG/<år>/ "
            "(standard: surveys/questionnaires)",
        )
        parser.add_argument(
            "--opens-on",
            type=datetime.date.fromisoformat,
            help="dagen då den första enkäten öppnar, ÅÅÅÅ-MM-DD (standard: ett år "
            "efter omgångens första; måste vara efter i dag). Alla datum flyttas lika.",
        )
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="skapa ingen omgång: skriv filerna för den redan skapade omgången "
            "efter --from",
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="skriv över befintliga filer"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        try:
            if options["files_only"]:
                new_cycle = _cycle(year + 1)
            else:
                new_cycle = create_next_cycle(
                    _cycle(year),
                    actor=_actor(options["actor"]),
                    opens_on=options["opens_on"],
                )
                self.stdout.write(
                    f"Omgång {new_cycle.year} är skapad med "
                    f"{new_cycle.questionnaires.count()} enkäter, under förberedelse."
                )
            directory = options["write_files"]
            if directory is not None:
                for path in write_definition_files(
                    new_cycle, Path(directory), overwrite=options["overwrite"]
                ):
                    self.stdout.write(f"Skrev {path}")
        except (DomainError, ValidationError) as exc:
            raise CommandError(error_text(exc)) from exc


def _cycle(year: int) -> Cycle:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise CommandError(f"Omgång {year} finns inte.")
    return cycle


def _actor(email: str | None) -> User:
    if email:
        user = user_by_email(email)
        if user is None or not user.is_active:
            raise CommandError(f"Det finns ingen aktiv användare med e-post {email}.")
        return user
    superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) != 1:
        raise CommandError("Ange --actor: vem som skapar omgången.")
    return superusers[0]
