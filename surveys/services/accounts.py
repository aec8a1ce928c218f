"""Writes to accounts (docs/conventions.md §2): finding or making a user, staff
invitations and the user's own password.
"""

from __future__ import annotations

import logging

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from surveys.auth import normalise_email, user_by_email
from surveys.errors import DomainError
from surveys.mailings import Recipient, record_mailing
from surveys.models.message_log import MailingKind
from surveys.models.register import (
    Organisation,
)
from surveys.models.users import OrganisationRole, User

logger = logging.getLogger(__name__)


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
