import random
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.demo import demo_values
from intake.models import Channel, ResponseStatus
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import RSS, Kommun, OrganisationRole, Questionnaire, Region, User
from surveys.selectors import kommuner_of_rss

DEMO_PASSWORD = "nara-vard-demo"  # noqa: S105 - documented demo password, local use only

# (e-mail, first name, last name, organisation kind, organisation code)
DEMO_ACCOUNTS = [
    ("statistiker@socialstyrelsen.example", "Stina", "Statistiker", None, None),
    ("kontakt@sormland.example", "Rut", "Regionkontakt", "region", "04"),
    ("kollega@sormland.example", "Rolf", "Regionkollega", "region", "04"),
    ("samordnare@rss-kronoberg.example", "Sara", "Samordnare", "rss", "rss-07"),
    ("kontakt@vaxjo.example", "Kalle", "Kommunkontakt", "kommun", "0780"),
]


class Command(BaseCommand):
    help = (
        "Skapar demokonton (ett per roll) och exempelsvar. Bara för lokal demo: "
        "kräver DEBUG=true, eftersom lösenordet står i README."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--year", type=int, default=2024, help="Omgång för exempelsvaren."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo skapar konton med kända lösenord och körs bara med DEBUG=true."
            )
        year: int = options["year"]
        with transaction.atomic():
            staff = self._accounts()
            self._answers(year, staff)
        self.stdout.write(f"Demokonton (lösenord {DEMO_PASSWORD}):")
        for email, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email}")

    def _accounts(self) -> User:
        staff: User | None = None
        for email, first, last, kind, code in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                )
            if kind is None:
                if not user.is_staff:
                    user.is_staff = True
                    user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                staff = user
                continue
            organisation = {"region": Region, "rss": RSS, "kommun": Kommun}[
                kind
            ].objects.get(code=code)
            OrganisationRole.objects.get_or_create(user=user, organisation=organisation)
        assert staff is not None  # noqa: S101 - the list has a staff account
        return staff

    def _answers(self, year: int, staff: User) -> None:
        # A fixed seed: the demo looks the same on every machine.
        rng = random.Random(year)  # noqa: S311 - demo data, not security
        questionnaires = {
            q.key: q
            for q in Questionnaire.objects.filter(cycle__year=year).select_related(
                "cycle"
            )
        }
        if not questionnaires:
            raise CommandError(
                f"Inga enkäter för {year}; kör load_questionnaires först."
            )
        region_q = questionnaires.get("region")
        if region_q is not None:
            questions = list(
                region_q.questions.order_by("position").prefetch_related(
                    "options", "rows"
                )
            )
            # Most regions have submitted, a few are still working, Sörmland has not started.
            for index, region in enumerate(
                Region.objects.exclude(code="04").order_by("sort_order")
            ):
                response = get_or_create_response(region_q, organisation=region)
                if response.status != ResponseStatus.NOT_STARTED:
                    continue
                values = demo_values(questions, rng)
                if index % 5 == 4:
                    values = dict(list(values.items())[: len(values) // 2])
                save_answers(
                    response, actor=staff, channel=Channel.IMPORT, values=values
                )
                if index % 5 != 4:
                    submit_response(response, actor=staff)
        kommun_q = questionnaires.get("kommun")
        rss = RSS.objects.filter(code="rss-07").first()
        if kommun_q is not None and rss is not None:
            questions = list(
                kommun_q.questions.order_by("position").prefetch_related(
                    "options", "rows"
                )
            )
            for index, kommun in enumerate(kommuner_of_rss(rss, year=year)):
                if index >= 6:  # two kommuner in Kronoberg have not answered yet
                    break
                response = get_or_create_response(kommun_q, organisation=kommun)
                if response.status != ResponseStatus.NOT_STARTED:
                    continue
                channel = Channel.WEB if index % 2 == 0 else Channel.PROXY
                save_answers(
                    response,
                    actor=staff,
                    channel=channel,
                    values=demo_values(questions, rng),
                )
                submit_response(response, actor=staff)
