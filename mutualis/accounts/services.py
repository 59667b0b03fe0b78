"""Verbs on accounts: roles, invitations, deactivation, unlocking; each one atomic."""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from collections.abc import Callable
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.accounts.models import Invitation, Role
from mutualis.accounts.queries import email_problem, normalise_email, role_problem
from mutualis.territories import services as territories
from mutualis.territories.models import Member, PoolingBody

INVITATION_VALID_FOR = timedelta(days=7)
_INVITATION_SALT = "mutualis.accounts.invitation"

LinkBuilder = Callable[[str], str]


class RoleError(ValueError):
    """A role that cannot be granted, with a French message."""


class InvitationError(ValueError):
    """An invitation that cannot be sent or used, with a French message."""


class AccountError(ValueError):
    """An account change that is refused, with a French message."""


# --- roles ------------------------------------------------------------------------------


def _check_role(pooling_body: PoolingBody, name: str, member: Member | None) -> None:
    problem = role_problem(pooling_body, name, member)
    if problem is not None:
        raise RoleError(problem)


def _refuse_last_own_admin_role(role: Role, by: User) -> None:
    if role.name != Role.Name.ADMIN or role.user_id != by.pk:
        return
    admins = Role.objects.select_for_update().filter(
        pooling_body=role.pooling_body_id, name=Role.Name.ADMIN
    )
    if admins.count() == 1:
        raise RoleError(
            _(
                "Vous êtes le dernier administrateur de cette structure : "
                "désignez-en un autre avant de retirer votre rôle."
            )
        )


@transaction.atomic
def revoke_role(role: Role, *, by: User) -> None:
    """Remove a role; the last administrator of a body cannot remove their own role."""
    _refuse_last_own_admin_role(role, by)
    role.delete()


@transaction.atomic
def grant_role(
    user: User, pooling_body: PoolingBody, name: str, member: Member | None = None
) -> Role:
    _check_role(pooling_body, name, member)
    role, _created = Role.objects.get_or_create(
        user=user, pooling_body=pooling_body, name=name, member=member
    )
    return role


@transaction.atomic
def create_pooling_body_from_epci(siren: str, *, created_by: User | None = None) -> PoolingBody:
    """The EPCI's pooling body with its communes; its creator becomes its administrator."""
    pooling_body = territories.create_pooling_body_from_epci(siren)
    if created_by is not None:
        grant_role(created_by, pooling_body, Role.Name.ADMIN)
    return pooling_body


def change_role(role: Role, name: str, member: Member | None, *, by: User) -> Role:
    """Give a role another name or commune; the last own administrator role stays."""
    _check_role(role.pooling_body, name, member)
    if name != role.name:
        _refuse_last_own_admin_role(role, by)
    duplicate = (
        Role.objects.filter(
            user=role.user_id, pooling_body=role.pooling_body_id, name=name, member=member
        )
        .exclude(pk=role.pk)
        .exists()
    )
    if duplicate:
        raise RoleError(_("Cet utilisateur a déjà ce rôle."))
    role.name = name
    role.member = member
    role.save()
    return role


# --- invitations ------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _hash(secret)


def _token(invitation: Invitation, secret: str) -> str:
    signer = signing.TimestampSigner(salt=_INVITATION_SALT)
    return signer.sign_object({"i": invitation.pk, "s": secret})


def _send_invitation(invitation: Invitation, token: str, link_for: LinkBuilder) -> None:
    body = invitation.pooling_body
    role = invitation.get_name_display()
    if invitation.member is not None:
        role = _("%(role)s de %(member)s") % {"role": role, "member": invitation.member.name}
    expires = timezone.localtime(invitation.expires_at)
    lines = [
        _("Bonjour,"),
        "",
        _("%(body)s vous invite à utiliser Mutualis avec le rôle « %(role)s ».")
        % {"body": body.name, "role": role},
        "",
        _("Pour choisir votre mot de passe et vous connecter, ouvrez ce lien :"),
        link_for(token),
        "",
        _("Ce lien ne sert qu'une fois et expire le %(date)s à %(time)s.")
        % {"date": expires.strftime("%d/%m/%Y"), "time": expires.strftime("%H:%M")},
        _("Votre identifiant de connexion sera votre adresse électronique : %(email)s.")
        % {"email": invitation.email},
        "",
        _("Si vous n'attendiez pas cette invitation, ignorez ce message."),
        body.name,
    ]
    try:
        send_mail(
            _("Invitation à rejoindre %(body)s sur Mutualis") % {"body": body.name},
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [invitation.email],
        )
    except (OSError, smtplib.SMTPException) as exc:
        raise InvitationError(
            _("Le courriel n'a pas pu être envoyé (%(error)s) ; rien n'a été enregistré.")
            % {"error": exc.__class__.__name__}
        ) from exc


def _create_invitation(
    pooling_body: PoolingBody,
    email: str,
    name: str,
    member: Member | None,
    *,
    by: User,
    link_for: LinkBuilder,
) -> Invitation:
    secret, token_hash = _new_secret()
    now = timezone.now()
    invitation = Invitation.objects.create(
        pooling_body=pooling_body,
        email=normalise_email(email),
        name=name,
        member=member,
        token_hash=token_hash,
        invited_by=by,
        sent_at=now,
        expires_at=now + INVITATION_VALID_FOR,
    )
    _send_invitation(invitation, _token(invitation, secret), link_for)
    return invitation


@transaction.atomic
def invite(
    pooling_body: PoolingBody,
    email: str,
    name: str,
    member: Member | None = None,
    *,
    by: User,
    link_for: LinkBuilder,
) -> Invitation:
    """Invite a person by e-mail to take a role; the role is granted when they accept."""
    try:
        _check_role(pooling_body, name, member)
    except RoleError as exc:
        raise InvitationError(str(exc)) from exc
    problem = email_problem(pooling_body, email)
    if problem is not None:
        raise InvitationError(problem)
    return _create_invitation(pooling_body, email, name, member, by=by, link_for=link_for)


@transaction.atomic
def resend_invitation(invitation: Invitation, *, by: User, link_for: LinkBuilder) -> Invitation:
    """Send a pending invitation again with a new link and a new expiry; the old link dies."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationError(_("Cette invitation a déjà été acceptée."))
    secret, invitation.token_hash = _new_secret()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + INVITATION_VALID_FOR
    invitation.invited_by = by
    invitation.save()
    _send_invitation(invitation, _token(invitation, secret), link_for)
    return invitation


@transaction.atomic
def reinvite_user(
    user: User,
    pooling_body: PoolingBody,
    *,
    by: User,
    link_for: LinkBuilder,
) -> Invitation:
    """Invite an existing user of the body again: the link sets a new password and reactivates."""
    email = normalise_email(getattr(user, "email", "") or "")
    if not email:
        raise InvitationError(
            _("Ce compte n'a pas d'adresse électronique : impossible de l'inviter.")
        )
    pending = Invitation.objects.filter(
        pooling_body=pooling_body, email=email, accepted_at__isnull=True
    ).first()
    if pending is not None:
        return resend_invitation(pending, by=by, link_for=link_for)
    role = Role.objects.filter(user=user, pooling_body=pooling_body).order_by("name", "pk").first()
    if role is None:
        raise InvitationError(_("Ce compte n'a aucun rôle dans la structure."))
    return _create_invitation(pooling_body, email, role.name, role.member, by=by, link_for=link_for)


def read_invitation(token: str) -> Invitation:
    """The pending invitation behind a link, or InvitationError saying why it cannot be used."""
    signer = signing.TimestampSigner(salt=_INVITATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=INVITATION_VALID_FOR)
    except signing.SignatureExpired as exc:
        raise InvitationError(_expired()) from exc
    except signing.BadSignature as exc:
        raise InvitationError(
            _("Ce lien d'invitation n'est pas valide : vérifiez qu'il a été copié en entier.")
        ) from exc
    invitation = (
        Invitation.objects.filter(pk=payload.get("i"))
        .select_related("pooling_body", "member")
        .first()
    )
    if invitation is None:
        raise InvitationError(_("Cette invitation a été retirée."))
    if not secrets.compare_digest(invitation.token_hash, _hash(str(payload.get("s")))):
        if not invitation.is_pending:
            raise InvitationError(_used())
        raise InvitationError(
            _(
                "Ce lien a été remplacé par une invitation plus récente : "
                "utilisez le dernier courriel reçu."
            )
        )
    if not invitation.is_pending:
        raise InvitationError(_used())
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_expired())
    return invitation


def _expired() -> str:
    return _(
        "Ce lien d'invitation a expiré : demandez à l'administrateur de la structure "
        "de vous inviter à nouveau."
    )


def _used() -> str:
    return _(
        "Cette invitation a déjà été utilisée : connectez-vous avec votre adresse électronique, "
        "ou choisissez « Mot de passe oublié ? »."
    )


def account_for_invitation(invitation: Invitation) -> User:
    """The account the invitation will set a password for; unsaved when it does not exist."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=invitation.email).order_by("pk").first()
    if user is None:
        user = user_model(username=invitation.email, email=invitation.email)
    return user


@transaction.atomic
def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the password, (re)activate the account, grant the role; the link is then spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationError(_used())
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_expired())
    user = account_for_invitation(invitation)
    if user.pk is None:
        user_model = get_user_model()
        if user_model.objects.filter(username__iexact=invitation.email).exists():
            user.username = f"{invitation.email}-{secrets.token_hex(3)}"
    if user.pk is not None and not user.is_active:
        # A deactivated account comes back for the inviting body only: the roles that its
        # deactivation suspended elsewhere must not revive with it.
        Role.objects.filter(user=user).exclude(pooling_body=invitation.pooling_body).delete()
    user.set_password(password)
    user.is_active = True
    user.save()
    grant_role(user, invitation.pooling_body, invitation.name, invitation.member)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


# --- accounts ---------------------------------------------------------------------------


@transaction.atomic
def deactivate_user(user: User, pooling_body: PoolingBody, *, by: User) -> None:
    """Stop a user from logging in; their roles stay, so that re-inviting restores them."""
    if user.pk == by.pk:
        raise AccountError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if getattr(user, "is_superuser", False):
        raise AccountError(_("Un administrateur de la plateforme ne peut pas être désactivé ici."))
    if Role.objects.filter(user=user).exclude(pooling_body=pooling_body).exists():
        raise AccountError(
            _(
                "Ce compte sert aussi dans une autre structure : retirez ses rôles ici "
                "plutôt que de le désactiver."
            )
        )
    user.is_active = False
    user.save(update_fields=["is_active"])


def unlock_user(user: User) -> int:
    """Forget the failed logins that locked this user out; returns how many were forgotten."""
    return int(axes_reset(username=user.get_username()))
