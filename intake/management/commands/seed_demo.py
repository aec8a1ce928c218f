import random
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.demo import demo_values
from intake.models import Channel, ResponseStatus
from intake.outreach import (
    add_kommun_contact,
    send_sign_in_link,
    send_to_all_not_submitted,
)
from intake.services.lifecycle import get_or_create_response, submit_response
from intake.services.saving import save_answers
from surveys.models import (
    RSS,
    Dispatch,
    Kommun,
    MailingKind,
    Organisation,
    OrganisationRole,
    Question,
    Questionnaire,
    Region,
    User,
)
from surveys.selectors import kommuner_of_rss
from surveys.services import close_questionnaire

DEMO_PASSWORD = "nara-vard-demo"  # noqa: S105 - documented demo password, local use only
# The staff demo account's second factor (issue #18): a TOTP key in the README, so
# a new user can add it to an authenticator app or print the current code with
# `manage.py demo_code`. RFC 4226's test key ("12345678901234567890"), in hex.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_TOTP_DEVICE = "Demo (README)"

# (e-mail, first name, last name, organisation kind, organisation code)
DEMO_ACCOUNTS = [
    ("statistiker@socialstyrelsen.example", "Stina", "Statistiker", None, None),
    ("kontakt@sormland.example", "Rut", "Regionkontakt", "region", "04"),
    ("kollega@sormland.example", "Rolf", "Regionkollega", "region", "04"),
    ("samordnare@rss-kronoberg.example", "Sara", "Samordnare", "rss", "rss-07"),
    ("kontakt@vaxjo.example", "Kalle", "Kommunkontakt", "kommun", "0780"),
]


COORDINATOR = "samordnare@rss-kronoberg.example"

# RSS Kronoberg's kommuner in kommunkod order (Uppvidinge, Lessebo, Tingsryd,
# Alvesta, Älmhult, Markaryd, Växjö, Ljungby): through which channel each has
# answered the hjälpenkät and whether it has submitted. Växjö (the demo kommun
# account) is still working; Ljungby has not started.
KRONOBERG_PLAN: list[tuple[Channel | None, bool]] = [
    (Channel.WEB, True),
    (Channel.WEB, True),
    (Channel.PROXY, True),
    (Channel.EXCEL, True),
    (Channel.WEB, True),
    (Channel.PROXY, False),
    (Channel.WEB, False),
    (None, False),
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
            self._close_earlier_cycles(year, staff)
        self.stdout.write(f"Demokonton (lösenord {DEMO_PASSWORD}):")
        for email, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email}")
        self.stdout.write(
            f"Andra steget för {staff.email}: nyckeln {DEMO_TOTP_KEY_BASE32} i en "
            "autentiseringsapp, eller koden från `manage.py demo_code` (DEBUG=true)."
        )

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
        TOTPDevice.objects.get_or_create(
            user=staff,
            name=DEMO_TOTP_DEVICE,
            defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
        )
        return staff

    def _close_earlier_cycles(self, year: int, staff: User) -> None:
        """Earlier cycles are an archive (issue #15): their questionnaires closed,
        by the staff account, as staff would at the end of a collection."""
        for questionnaire in Questionnaire.objects.filter(
            cycle__year__lt=year, closed_at__isnull=True
        ):
            close_questionnaire(
                questionnaire, actor=staff, reason="Tidigare omgång (demo)."
            )

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
        rss = RSS.objects.filter(code="rss-07").first()
        coordinator = User.objects.get(email=COORDINATOR)
        if rss is not None:
            kommun_q = questionnaires.get("kommun")
            if kommun_q is not None:
                self._kronoberg(kommun_q, rss, coordinator, rng)
            extra_q = questionnaires.get("kommun-extra")
            if extra_q is not None:
                self._supplementary(extra_q, rss, rng)

    def _kronoberg(
        self,
        questionnaire: Questionnaire,
        rss: Organisation,
        coordinator: User,
        rng: random.Random,
    ) -> None:
        """RSS Kronoberg's kommuner answer the hjälpenkät in every state and through
        every channel, each with a contact; two have had a sign-in link and the RSS
        has sent one reminder round, so the status page and the RSS questionnaire's
        live counts show something real."""
        year = questionnaire.cycle.year
        questions = _questions(questionnaire)
        kommuner = list(kommuner_of_rss(rss, year=year).order_by("code"))
        for kommun in kommuner:
            add_kommun_contact(
                kommun, year=year, email=contact_email(kommun), actor=coordinator
            )
        for kommun, (channel, submit) in zip(kommuner, KRONOBERG_PLAN, strict=False):
            if channel is None:
                continue
            response = get_or_create_response(questionnaire, organisation=kommun)
            if response.status != ResponseStatus.NOT_STARTED:
                continue
            actor = (
                User.objects.get(email=contact_email(kommun))
                if channel == Channel.WEB
                else coordinator
            )
            values = demo_values(questions, rng)
            if not submit:
                values = dict(list(values.items())[: len(values) // 2])
            save_answers(response, actor=actor, channel=channel, values=values)
            if submit:
                submit_response(response, actor=actor)
        if not Dispatch.objects.filter(questionnaire=questionnaire).exists():
            for kommun in kommuner[5:7]:  # links to the two still working
                send_sign_in_link(questionnaire, kommun=kommun, actor=coordinator)
            send_to_all_not_submitted(
                questionnaire,
                kind=MailingKind.REMINDER,
                kommuner=kommuner_of_rss(rss, year=year),
                scope=rss,
                actor=coordinator,
            )

    def _supplementary(
        self, questionnaire: Questionnaire, rss: Organisation, rng: random.Random
    ) -> None:
        """Three of Kronoberg's kommuner answer the supplementary questionnaire on
        the web: two have submitted, one is working."""
        year = questionnaire.cycle.year
        questions = _questions(questionnaire)
        for index, kommun in enumerate(
            kommuner_of_rss(rss, year=year).order_by("code")[:3]
        ):
            response = get_or_create_response(questionnaire, organisation=kommun)
            if response.status != ResponseStatus.NOT_STARTED:
                continue
            actor = User.objects.get(email=contact_email(kommun))
            values = demo_values(questions, rng)
            save_answers(response, actor=actor, channel=Channel.WEB, values=values)
            if index != 2:  # the third has answered but not yet submitted
                submit_response(response, actor=actor)


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.order_by("position").prefetch_related("options", "rows")
    )


def contact_email(kommun: Organisation) -> str:
    """The demo contact of a kommun: kontakt@<kommun-slug>.example."""
    return f"kontakt@{slugify(kommun.name)}.example"
