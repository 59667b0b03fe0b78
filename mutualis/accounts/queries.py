"""Reads for the user management page; a fixed number of queries whatever the body's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.accounts.models import Invitation, Role
from mutualis.territories.models import Member, PoolingBody


@dataclass
class BodyUser:
    """One account of a pooling body with its roles there and its state."""

    user: User
    roles: list[Role] = field(default_factory=list)
    locked: bool = False

    @property
    def is_active(self) -> bool:
        return bool(self.user.is_active)

    @property
    def has_password(self) -> bool:
        return self.user.has_usable_password()


def locked_usernames(usernames: list[str]) -> set[str]:
    """The usernames that django-axes currently refuses, whatever the client address."""
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values_list("username", flat=True))


def body_users(pooling_body: PoolingBody) -> list[BodyUser]:
    """Every account with a role in the body, by username, with its roles and lockout."""
    rows: dict[int, BodyUser] = {}
    roles = (
        Role.objects.filter(pooling_body=pooling_body)
        .select_related("user", "member")
        .order_by("user__username", "name", "member__name")
    )
    for role in roles:
        rows.setdefault(role.user_id, BodyUser(role.user)).roles.append(role)
    locked = locked_usernames([row.user.get_username() for row in rows.values()])
    for row in rows.values():
        row.locked = row.user.get_username() in locked
    return list(rows.values())


def pending_invitations(pooling_body: PoolingBody) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(pooling_body=pooling_body, accepted_at__isnull=True)
        .select_related("member", "invited_by")
        .order_by("email")
    )


def reachable_referent_member_ids(pooling_body: PoolingBody) -> set[int]:
    """Members with an active référent who can log in (a usable password is set)."""
    return set(
        Role.objects.filter(
            pooling_body=pooling_body, name=Role.Name.REFERENT, user__is_active=True
        )
        .exclude(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(user__password="")
        .values_list("member_id", flat=True)
    )


def members_without_reachable_referent(pooling_body: PoolingBody) -> list[Member]:
    reachable = reachable_referent_member_ids(pooling_body)
    return [m for m in pooling_body.members.order_by("name") if m.pk not in reachable]


# --- rules the forms and the services share -----------------------------------------


def role_problem(pooling_body: PoolingBody, name: str, member: Member | None) -> str | None:
    """Why this role cannot exist in `pooling_body`, in French; None when it can."""
    if name == Role.Name.REFERENT and member is None:
        return _("Un rôle de référent·e désigne une commune.")
    if name != Role.Name.REFERENT and member is not None:
        return _("Seul un rôle de référent·e désigne une commune.")
    if member is not None and member.pooling_body_id != pooling_body.pk:
        return _("Cette commune n'est pas membre de la structure porteuse.")
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(pooling_body: PoolingBody, email: str) -> str | None:
    """Why `email` cannot be invited to `pooling_body`, in French; None when it can.

    Only this body's accounts and invitations count, so that the answer never tells
    whether the address belongs to an account elsewhere on the platform.
    """
    email = normalise_email(email)
    if Role.objects.filter(pooling_body=pooling_body, user__email__iexact=email).exists():
        return _("Cette adresse est déjà celle d'un compte de la structure.")
    if Invitation.objects.filter(
        pooling_body=pooling_body, email=email, accepted_at__isnull=True
    ).exists():
        return _(
            "Une invitation est déjà en attente pour cette adresse : "
            "renvoyez-la depuis la liste des invitations."
        )
    return None
