"""Staff's contact persons for regions and RSS (issue #15 point 3): add, remove,
import a list, invite (docs/conventions.md §2, §6).

A contact is an account with a role for the organisation (`OrganisationRole`),
as for a kommun's contacts (intake.outreach). Every addition and removal is
kept in `ContactChange` (who, when, which address), in the same transaction.
Invitations are the existing one-time sign-in links (surveys.services.invite_user),
logged in the message log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from intake.models import ContactChange
from surveys.errors import DomainError
from surveys.models import Organisation, OrganisationKind, OrganisationRole, User
from surveys.services import account_for, invite_user

STAFF_KINDS = (OrganisationKind.REGION, OrganisationKind.RSS)


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise DomainError(
            "Bara Socialstyrelsen hanterar regionernas och RSS:ens kontakter."
        )


def _require_region_or_rss(organisation: Organisation) -> None:
    if organisation.kind not in STAFF_KINDS:
        raise DomainError(
            f"{organisation.name} är inte en region eller ett RSS; kommunernas "
            "kontakter sköts från RSS:ets statussida."
        )


def record_contact_change(
    organisation: Organisation, *, old: str, new: str, actor: User
) -> ContactChange:
    """One addition (new address) or removal (old address) of a contact person."""
    change = ContactChange(
        organisation=organisation,
        field=ContactChange.Field.CONTACT,
        old_value=old,
        new_value=new,
        changed_by=actor,
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def add_organisation_contact(
    organisation: Organisation,
    *,
    email: str,
    actor: User,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Make someone a contact person for a region or an RSS: an account for the
    address (reused when it exists) with a role for the organisation. Nothing
    is e-mailed: staff invite from the contacts page when they want."""
    _require_staff(actor)
    _require_region_or_rss(organisation)
    user = account_for(
        email,
        first_name=first_name,
        last_name=last_name,
        inactive="Aktivera det i administrationen först.",
    )
    if OrganisationRole.objects.filter(user=user, organisation=organisation).exists():
        raise DomainError(f"{user.email} är redan kontakt för {organisation.name}.")
    role = OrganisationRole(user=user, organisation=organisation)
    role.full_clean()
    role.save()
    record_contact_change(organisation, old="", new=user.email, actor=actor)
    return user


@transaction.atomic
def remove_organisation_contact(
    organisation: Organisation, *, user: User, actor: User
) -> None:
    """Take away a contact's right to answer for the organisation; the account
    and what it has answered stay."""
    _require_staff(actor)
    _require_region_or_rss(organisation)
    deleted, _ = OrganisationRole.objects.filter(
        user=user, organisation=organisation
    ).delete()
    if not deleted:
        raise DomainError(f"{user.email} är inte kontakt för {organisation.name}.")
    record_contact_change(organisation, old=user.email, new="", actor=actor)


@transaction.atomic
def invite_organisation_contacts(
    organisation: Organisation, *, actor: User, users: Sequence[User] | None = None
) -> list[User]:
    """E-mail each (or each chosen) active contact a one-time sign-in link."""
    _require_staff(actor)
    _require_region_or_rss(organisation)
    contacts = User.objects.filter(
        roles__organisation=organisation, is_active=True
    ).order_by("email")
    if users is not None:
        contacts = contacts.filter(pk__in=[u.pk for u in users])
    invited = list(contacts)
    if not invited:
        raise DomainError(f"{organisation.name} har ingen kontakt att bjuda in.")
    for user in invited:
        invite_user(email=user.email, organisation=organisation, actor=actor)
    return invited


@dataclass(frozen=True)
class ContactRow:
    """One valid row of an imported contact list."""

    line: int
    organisation_id: int
    organisation_name: str
    email: str
    first_name: str
    last_name: str
    is_new: bool  # not yet a contact of the organisation


@transaction.atomic
def import_organisation_contacts(rows: Sequence[ContactRow], *, actor: User) -> int:
    """Add the rows' contacts (those already contacts are left as they are): all
    or nothing. The number added."""
    _require_staff(actor)
    organisations = Organisation.objects.in_bulk({row.organisation_id for row in rows})
    added = 0
    for row in rows:
        organisation = organisations.get(row.organisation_id)
        if organisation is None:
            raise DomainError(f"Rad {row.line}: organisationen finns inte längre.")
        _require_region_or_rss(organisation)
        user = account_for(
            row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            inactive=f"Rad {row.line}: aktivera kontot i administrationen först.",
        )
        if OrganisationRole.objects.filter(
            user=user, organisation=organisation
        ).exists():
            continue
        role = OrganisationRole(user=user, organisation=organisation)
        role.full_clean()
        role.save()
        record_contact_change(organisation, old="", new=user.email, actor=actor)
        added += 1
    return added
