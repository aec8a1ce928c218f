"""Writes to the register and the questionnaires (docs/conventions.md §2).

Both loaders are idempotent: running them twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.utils import timezone

from surveys.auth import normalise_email, user_by_email
from surveys.definitions.files import read_cycle_directory
from surveys.definitions.records import (
    Choice,
    CycleDef,
    DefinitionError,
    PreviousQuestion,
    Problem,
    QuestionDef,
    QuestionnaireDef,
)
from surveys.definitions.validation import lineage_problems
from surveys.errors import DomainError
from surveys.kinds import facts
from surveys.mailings import Recipient, record_mailing
from surveys.models.message_log import MailingKind
from surveys.models.questionnaires import (
    Cycle,
    MatrixRow,
    Option,
    Question,
    Questionnaire,
    Section,
)
from surveys.models.register import (
    Kommun,
    Organisation,
    OrganisationKind,
    Population,
    RSSMembership,
    memberships_in_year,
)
from surveys.models.users import OrganisationRole, User
from surveys.selectors import previous_questions

logger = logging.getLogger(__name__)

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFINITIONS_DIR = Path(__file__).resolve().parent / "questionnaires"


# --- organisation register ---------------------------------------------------------


@dataclass
class ReferenceDataReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Rows where the database differs from the file and was left alone (staff edits).
    differences: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], what: str) -> None:
        bucket[what] = bucket.get(what, 0) + 1


@transaction.atomic
def load_reference_data(
    *, directory: Path = REFERENCE_DIR, update: bool = False
) -> ReferenceDataReport:
    """Load regions, kommuner, RSS, RSS memberships and the region populations
    from the versioned files.

    Creates what is missing. A row that exists but differs from the file is left
    as it is and reported, because staff may have corrected it in the admin;
    `update=True` makes the file win.
    """
    report = ReferenceDataReport()
    regions = _read_csv(directory / "regions.csv")
    kommuner = _read_csv(directory / "kommuner.csv")
    rss_data = yaml.safe_load((directory / "rss.yaml").read_text(encoding="utf-8"))

    region_by_lan: dict[str, Organisation] = {}
    for row in regions:
        region = _upsert_organisation(
            report,
            kind=OrganisationKind.REGION,
            code=row["lanskod"],
            values={
                "name": row["region_name"],
                "short_name": row["short_name"],
                "lan_name": row["lan_name"],
                "sort_order": int(row["sort_order"]),
            },
            update=update,
        )
        if region.region_id != region.pk:
            # A region belongs to itself, so "per region" groups every audience alike.
            region.region = region
            region.save(update_fields=["region"])
        region_by_lan[row["lanskod"]] = region

    kommun_by_code: dict[str, Organisation] = {}
    for row in kommuner:
        region = region_by_lan[row["lanskod"]]
        kommun_by_code[row["kommunkod"]] = _upsert_organisation(
            report,
            kind=OrganisationKind.KOMMUN,
            code=row["kommunkod"],
            values={
                "name": row["name"],
                "short_name": row["name"],
                "lan_name": region.lan_name,
                "region": region,
                "sort_order": int(row["kommunkod"]),
            },
            update=update,
        )

    for position, item in enumerate(rss_data["rss"], start=1):
        region = region_by_lan[item["lanskod"]]
        rss = _upsert_organisation(
            report,
            kind=OrganisationKind.RSS,
            code=item["code"],
            values={
                "name": item["name"],
                "short_name": item["name"],
                "lan_name": region.lan_name,
                "region": region,
                "sort_order": position,
            },
            update=update,
        )
        for member in item["members"]:
            kommun = kommun_by_code[member["kommunkod"]]
            valid_to = member.get("to")
            membership = RSSMembership.objects.filter(
                kommun=kommun, valid_from=member["from"]
            ).first()
            if membership is None:
                RSSMembership.objects.create(
                    rss=rss, kommun=kommun, valid_from=member["from"], valid_to=valid_to
                )
                report.count(report.created, "RSS-medlemskap")
            elif membership.rss_id != rss.pk or membership.valid_to != valid_to:
                if update:
                    membership.rss = rss
                    membership.valid_to = valid_to
                    membership.save(update_fields=["rss", "valid_to"])
                    report.count(report.updated, "RSS-medlemskap")
                else:
                    report.differences.append(
                        f"{kommun.name} ({kommun.code}) från {member['from']}: "
                        f"filen säger {rss.name}, databasen {membership.rss}"
                    )

    population_path = directory / "population.csv"
    if population_path.exists():
        _load_populations(
            report, _read_csv(population_path), region_by_lan, update=update
        )
    return report


def _load_populations(
    report: ReferenceDataReport,
    rows: list[dict[str, str]],
    region_by_lan: dict[str, Organisation],
    *,
    update: bool,
) -> None:
    """Region (län) populations by länskod: the sources spell the names in several
    ways («Jönköpingslän», «Region Jönköpings län»), so the file carries the code
    and the register's län name, and a name that does not match the code is an
    error rather than a silent misalignment."""
    for row in rows:
        code = row["lanskod"]
        region = region_by_lan.get(code)
        if region is None:
            raise DomainError(f"population.csv: okänd länskod {code}")
        if row["lan_name"] != region.lan_name:
            raise DomainError(
                f"population.csv: länskod {code} är {region.lan_name}, "
                f"inte {row['lan_name']}"
            )
        reference_date = datetime.date.fromisoformat(row["reference_date"])
        values = {"population": int(row["population"]), "source": row["source"]}
        existing = Population.objects.filter(
            organisation=region, reference_date=reference_date
        ).first()
        if existing is None:
            population = Population(
                organisation=region, reference_date=reference_date, **values
            )
            population.full_clean()
            population.save()
            report.count(report.created, "befolkningsuppgift")
            continue
        changed = [
            name for name, value in values.items() if getattr(existing, name) != value
        ]
        if not changed:
            continue
        if update:
            for name in changed:
                setattr(existing, name, values[name])
            existing.full_clean()
            existing.save(update_fields=changed)
            report.count(report.updated, "befolkningsuppgift")
        else:
            report.differences.append(
                f"Befolkning {region.lan_name} {reference_date:%Y-%m-%d}: "
                f"{', '.join(changed)} skiljer sig från filen"
            )


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert_organisation(
    report: ReferenceDataReport,
    *,
    kind: OrganisationKind,
    code: str,
    values: dict[str, Any],
    update: bool,
) -> Organisation:
    organisation = Organisation.objects.filter(kind=kind, code=code).first()
    label = OrganisationKind(kind).label
    if organisation is None:
        organisation = Organisation(kind=kind, code=code, **values)
        organisation.full_clean(exclude=["region"])
        organisation.save()
        report.count(report.created, label)
        return organisation
    changed = [
        name
        for name, value in values.items()
        if (
            getattr(organisation, f"{name}_id")
            if name == "region"
            else getattr(organisation, name)
        )
        != (value.pk if name == "region" else value)
    ]
    if not changed:
        return organisation
    if update:
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.save(update_fields=changed)
        report.count(report.updated, label)
    else:
        report.differences.append(
            f"{label} {code} ({organisation.name}): {', '.join(changed)} skiljer sig från filen"
        )
    return organisation


def rss_coverage_problems(year: int) -> list[str]:
    """Kommuner that do not belong to exactly one RSS in `year`, as Swedish sentences."""
    kommuner = Kommun.objects.annotate(
        rss_count=Count(
            "kommun_memberships",
            filter=memberships_in_year(year, prefix="kommun_memberships__"),
        )
    ).exclude(rss_count=1)
    problems = []
    for kommun in kommuner.order_by("code"):
        if kommun.rss_count == 0:
            problems.append(f"{kommun.name} ({kommun.code}) tillhör inget RSS {year}")
        else:
            problems.append(
                f"{kommun.name} ({kommun.code}) tillhör {kommun.rss_count} RSS {year}"
            )
    return problems


def overlapping_memberships(membership: RSSMembership) -> list[RSSMembership]:
    """Other memberships of the same kommun whose years overlap this one's."""
    others = RSSMembership.objects.filter(kommun_id=membership.kommun_id).exclude(
        pk=membership.pk
    )
    end = membership.valid_to
    overlap = Q(valid_to__isnull=True) | Q(valid_to__gte=membership.valid_from)
    if end is not None:
        overlap &= Q(valid_from__lte=end)
    return list(others.filter(overlap).select_related("rss"))


# --- questionnaires ------------------------------------------------------------------


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_definitions(directory: Path = DEFINITIONS_DIR) -> list[CycleDef]:
    """Parse and validate every cycle directory; raises DefinitionError listing all problems."""
    cycles: list[CycleDef] = []
    problems: list[Problem] = []
    for cycle_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        try:
            cycles.append(
                read_cycle_directory(cycle_dir, display_root=directory.parent)
            )
        except DefinitionError as exc:
            problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    return sorted(cycles, key=lambda c: c.year)


def load_questionnaires(directory: Path = DEFINITIONS_DIR) -> LoadReport:
    """Validate every definition file, then load them all in one transaction.

    Nothing is written unless every file is valid, including the lineage check
    against cycles already in the database and earlier cycles in the same run.
    """
    cycles = read_definitions(directory)
    problems: list[Problem] = []
    known = previous_questions()
    # The files win for the cycles they define; the database adds cycles whose
    # files are no longer in the repository.
    batch_years = {c.year for c in cycles}
    earlier = [p for p in known if p.year not in batch_years] + _as_previous(cycles)
    for cycle in cycles:
        problems += lineage_problems(cycle, earlier)
    if problems:
        raise DefinitionError(problems)
    return _write_cycles(cycles)


def _as_previous(cycles: Iterable[CycleDef]) -> list[PreviousQuestion]:
    return [
        PreviousQuestion(
            year=cycle.year,
            questionnaire_key=questionnaire.key,
            lineage_key=question.lineage_key,
            kind=question.kind.value,
            variable=question.variable,
        )
        for cycle in cycles
        for questionnaire in cycle.questionnaires
        for question in questionnaire.questions
    ]


@transaction.atomic
def _write_cycles(cycles: list[CycleDef]) -> LoadReport:
    report = LoadReport()
    for cycle_def in cycles:
        cycle, _ = Cycle.objects.update_or_create(
            year=cycle_def.year,
            defaults={
                "name": cycle_def.name,
                "reference_period": cycle_def.reference_period,
                "description": cycle_def.description,
            },
        )
        # Kommun questionnaires first: RSS questions point into them.
        ordered = sorted(
            cycle_def.questionnaires,
            key=lambda q: q.audience != OrganisationKind.KOMMUN,
        )
        for questionnaire_def in ordered:
            existing = Questionnaire.objects.filter(
                cycle=cycle, key=questionnaire_def.key
            ).first()
            if (
                existing is not None
                and existing.content_hash == questionnaire_def.content_hash
            ):
                report.unchanged.append(questionnaire_def.file)
                continue
            _write_questionnaire(cycle, questionnaire_def, existing)
            report.loaded.append(questionnaire_def.file)
    return report


def _write_questionnaire(
    cycle: Cycle, definition: QuestionnaireDef, existing: Questionnaire | None
) -> None:
    values = {
        "audience": definition.audience.value,
        "is_supplementary": definition.supplementary,
        "title": definition.title,
        "intro": definition.intro,
        "version": definition.version,
        "opens_on": definition.opens_on,
        "closes_on": definition.closes_on,
        "source_file": definition.file,
        "content_hash": definition.content_hash,
    }
    if existing is None:
        questionnaire = Questionnaire(cycle=cycle, key=definition.key, **values)
        questionnaire.full_clean()
        questionnaire.save()
    else:
        questionnaire = existing
        for name, value in values.items():
            setattr(questionnaire, name, value)
        questionnaire.full_clean()
        questionnaire.save(update_fields=[*values, "loaded_at"])

    sections: dict[str, Section] = {}
    for section_def in definition.sections:
        section, _ = Section.objects.update_or_create(
            questionnaire=questionnaire,
            key=section_def.key,
            defaults={
                "position": section_def.position,
                "title": section_def.title,
                "intro": section_def.intro,
            },
        )
        sections[section.key] = section

    existing_questions = {q.variable: q for q in questionnaire.questions.all()}
    answered = set(
        questionnaire.questions.filter(answers__isnull=False)
        .values_list("variable", flat=True)
        .distinct()
    )
    problems: list[Problem] = []
    saved: dict[str, Question] = {}
    for question_def in definition.questions:
        current = existing_questions.get(question_def.variable)
        if (
            current is not None
            and current.kind != question_def.kind
            and current.variable in answered
        ):
            problems.append(
                Problem(
                    definition.file,
                    question_def.number,
                    f"frågan har svar som {current.kind}; typen kan inte ändras till "
                    f"{question_def.kind.value}",
                )
            )
            continue
        saved[question_def.variable] = _write_question(
            questionnaire,
            sections[question_def.section_key],
            question_def,
            current,
            saved,
        )
    # A count's percentage question may come before or after it in the file, so
    # the links are set once every question of the file is saved.
    for question_def in definition.questions:
        linked = question_def.percentage_question
        question = saved.get(question_def.variable)
        if question is None:
            continue
        target = saved.get(linked) if linked else None
        if question.percentage_question_id != (target.pk if target else None):
            question.percentage_question = target
            question.save(update_fields=["percentage_question"])
    kept = {q.variable for q in definition.questions}
    for variable, question in existing_questions.items():
        if variable in kept:
            continue
        if variable in answered:
            problems.append(
                Problem(
                    definition.file,
                    question.number,
                    f"{variable} har svar och kan inte tas bort",
                )
            )
            continue
        question.delete()
    if problems:
        raise DefinitionError(problems)
    questionnaire.sections.exclude(key__in=sections).delete()


def _write_question(
    questionnaire: Questionnaire,
    section: Section,
    definition: QuestionDef,
    current: Question | None,
    saved: dict[str, Question],
) -> Question:
    source = None
    if definition.source_question is not None:
        source = Question.objects.get(
            questionnaire__cycle=questionnaire.cycle,
            questionnaire__key=definition.source_question.questionnaire,
            variable=definition.source_question.variable,
        )
    values: dict[str, Any] = {
        "section": section,
        "position": definition.position,
        "number": definition.number,
        "parent": saved[definition.parent] if definition.parent else None,
        "kind": definition.kind.value,
        "text": definition.text,
        "help_text": definition.help_text,
        "label": definition.label,
        "required": definition.required,
        "condition": definition.show_if,
        "escape_label": definition.escape_label,
        "min_value": definition.min_value,
        "max_value": definition.max_value,
        "unit": definition.unit,
        "max_length": definition.max_length,
        "national_figure": definition.national_figure,
        "reference_period": definition.reference_period,
        "reference_text": definition.reference_text,
        "reconstructed": definition.reconstructed,
        "source_note": definition.source_note,
        "lineage_key": definition.lineage_key,
        "comparability": definition.comparability,
        "source_question": source,
        "counts_population": definition.counts_population,
    }
    if current is None:
        question = Question(
            questionnaire=questionnaire, variable=definition.variable, **values
        )
    else:
        question = current
        for name, value in values.items():
            setattr(question, name, value)
    question.full_clean(validate_unique=False)
    question.save()

    options = list(definition.options)
    rows = list(definition.rows)
    if facts(definition.kind).kommun_counts and source is not None:
        # The RSS counts kommuner per alternative of the kommun question: it owns a
        # copy of the source's options and rows, with the same codes.
        options = [Choice(o.code, o.label, o.is_other) for o in source.options.all()]
        rows = [Choice(r.code, r.label) for r in source.rows.all()]
    _sync_choices(question, Option, options, "options", definition)
    _sync_choices(question, MatrixRow, rows, "rows", definition)
    return question


def _sync_choices(
    question: Question,
    model: type[Option] | type[MatrixRow],
    choices: list[Choice],
    what: str,
    definition: QuestionDef,
) -> None:
    codes = []
    for position, choice in enumerate(choices, start=1):
        defaults: dict[str, Any] = {"position": position, "label": choice.label}
        if model is Option:
            defaults["is_other"] = choice.is_other
        model.objects.update_or_create(
            question=question, code=choice.code, defaults=defaults
        )
        codes.append(choice.code)
    stale = model.objects.filter(question=question).exclude(code__in=codes)
    try:
        stale.delete()
    except ProtectedError as exc:
        gone = ", ".join(sorted({str(getattr(o, "code", o)) for o in stale}))
        raise DefinitionError(
            [
                Problem(
                    "",
                    definition.number,
                    f"{what} {gone} har svar och kan inte tas bort",
                )
            ]
        ) from exc


# --- accounts ------------------------------------------------------------------------


def _require_staff(actor: User, message: str) -> None:
    if not actor.is_staff_member:
        raise DomainError(message)


def _enqueue_invitation(
    user: User, *, organisation: Organisation | None, actor: User
) -> None:
    # Logged like every e-mail to a respondent; sent by a task after commit.
    record_mailing(
        MailingKind.INVITATION,
        recipients=[Recipient(user, organisation)],
        actor=actor,
    )


def account_for(
    email: str, *, first_name: str = "", last_name: str = "", inactive: str
) -> User:
    """The account for an address, made when there is none: the one way an
    invitation or a new contact finds or creates a user.

    The address is validated and matched in any case. A new account has no usable
    password (its owner signs in by a link and may then choose one); an existing
    one keeps its password and gets the names it lacks. A deactivated account is
    refused with `inactive` (what the caller's user can do about it).
    """
    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    names = {"first_name": first_name.strip(), "last_name": last_name.strip()}
    user = user_by_email(address)
    if user is None:
        user = User(email=address, username=address, **names)
        user.set_unusable_password()
        # The username mirrors the address, which is validated as an address;
        # Django's character rules for usernames do not apply to it.
        user.full_clean(exclude=["username"])
        user.save()
        return user
    if not user.is_active:
        raise DomainError(f"Kontot för {address} är avstängt. {inactive}")
    blank = [name for name, value in names.items() if value and not getattr(user, name)]
    if blank:
        for name in blank:
            setattr(user, name, names[name])
        user.full_clean(exclude=["username", "password"])
        user.save(update_fields=blank)
    return user


@transaction.atomic
def invite_user(
    *,
    email: str,
    organisation: Organisation | None,
    actor: User,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Give someone access and e-mail them a one-time sign-in link after commit.

    An account with the address (in any case) is reused: its password stays, blank
    names are filled in, and the organisation is added to its roles. A new account
    has no usable password; its owner signs in by the link and may then choose one.
    """
    _require_staff(actor, "Bara Socialstyrelsen kan bjuda in användare.")
    user = account_for(
        email,
        first_name=first_name,
        last_name=last_name,
        inactive="Aktivera det i administrationen först.",
    )

    if (
        organisation is not None
        and not user.roles.filter(organisation=organisation).exists()
    ):
        role = OrganisationRole(user=user, organisation=organisation)
        role.full_clean()
        role.save()

    _enqueue_invitation(user, organisation=organisation, actor=actor)
    logger.info(
        "User %s invited by %s (organisation %s)",
        user.pk,
        actor.pk,
        organisation.pk if organisation else "-",
    )
    return user


@transaction.atomic
def send_invitation(user: User, *, actor: User) -> None:
    """E-mail an existing user a new one-time sign-in link after commit."""
    _require_staff(actor, "Bara Socialstyrelsen kan skicka inbjudningar.")
    if not user.is_active:
        raise DomainError(
            f"Kontot för {user.email} är avstängt; ingen inbjudan skickades."
        )
    _enqueue_invitation(user, organisation=None, actor=actor)
    logger.info("Invitation re-sent to user %s by %s", user.pk, actor.pk)


@transaction.atomic
def set_user_password(user: User, *, actor: User, password: str) -> User:
    """The user chooses a password. This also voids their unused sign-in links."""
    if actor.pk != user.pk:
        raise DomainError("Du kan bara välja lösenord för ditt eget konto.")
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- sign-in records (django-axes) -----------------------------------------------------


@dataclass(frozen=True)
class SignInRecordsDeleted:
    attempts: int
    logs: int
    failure_logs: int


@transaction.atomic
def delete_old_sign_in_records(*, age_days: int) -> SignInRecordsDeleted:
    """Delete django-axes' records of sign-ins older than `age_days` days.

    They hold e-mail addresses, IP addresses and browser strings: personal data
    kept only as long as AXES_LOG_RETENTION_DAYS says. A scheduled job with no
    user behind it, hence no actor. Access and failure logs go through axes' own
    handler (as its `axes_reset_logs` command does); axes has no age-based reset
    for the attempt counters, whose rows stop counting after AXES_COOLOFF_TIME
    anyway, so those are deleted by the same rule here.
    """
    if age_days < 1:
        raise DomainError("Sparad inloggningslogg måste gälla minst en dag.")
    limit = timezone.now() - timedelta(days=age_days)
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lte=limit).delete()
    logs = AxesProxyHandler.reset_logs(age_days=age_days)
    failure_logs = AxesProxyHandler.reset_failure_logs(age_days=age_days)
    deleted = SignInRecordsDeleted(
        attempts=attempts, logs=logs, failure_logs=failure_logs
    )
    logger.info("Deleted sign-in records older than %d days: %s", age_days, deleted)
    return deleted
