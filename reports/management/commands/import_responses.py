"""python manage.py import_responses --cycle 2024 --questionnaire region FILE
[--actor EMAIL] [--submit [--historical]] [--dry-run]: load raw data (the
export's layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.imports.jobs import import_responses
from reports.imports.reading import RawDataImportError
from surveys.auth import user_by_email
from surveys.models import Questionnaire, User


class Command(BaseCommand):
    help = "Läser in rådata (exportens layout, CSV eller xlsx) i en enkät."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--questionnaire", required=True, help="enkätens nyckel")
        parser.add_argument(
            "--actor",
            help="e-post till den som står för importen (standard: den enda "
            "aktiva superanvändaren)",
        )
        parser.add_argument(
            "--submit",
            action="store_true",
            help="markera rader med status Inskickad som inskickade",
        )
        parser.add_argument(
            "--historical",
            action="store_true",
            help="historiska uppgifter: godta inskickade svar där obligatoriska "
            "frågor saknar svar (sparas i historiken)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="kontrollera bara, spara inget"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        questionnaire = (
            Questionnaire.objects.select_related("cycle")
            .filter(cycle__year=options["cycle"], key=options["questionnaire"])
            .first()
        )
        if questionnaire is None:
            raise CommandError(
                f"Enkäten {options['questionnaire']} {options['cycle']} finns inte."
            )
        actor = _actor(options["actor"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Filen kunde inte läsas: {exc}") from exc
        try:
            summary = import_responses(
                questionnaire,
                content,
                actor=actor,
                file_name=path.name,
                submit=options["submit"],
                historical=options["historical"],
                dry_run=options["dry_run"],
            )
        except RawDataImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.message) from exc
        for warning in summary.warnings:
            self.stderr.write(f"Att kontrollera: {warning}")
        verb = "Skulle läsa in" if summary.dry_run else "Läste in"
        self.stdout.write(
            f"{verb} {summary.rows} svar ({summary.new_responses} nya, "
            f"{summary.updated_responses} ändrade, {summary.submitted} inskickade) "
            f"med {summary.answered_questions} besvarade frågor; "
            f"{summary.skipped} rader utan svar hoppades över."
        )


def _actor(email: str | None) -> User:
    if email:
        user = user_by_email(email)
        if user is None or not user.is_active:
            raise CommandError(f"Det finns ingen aktiv användare med e-post {email}.")
        return user
    superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) != 1:
        raise CommandError("Ange --actor: vem som står för importen.")
    return superusers[0]
