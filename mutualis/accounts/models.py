"""Roles of users in pooling bodies; Django's user model is kept as is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.Model):
    """What a user may do in one pooling body, or for one of its member communes."""

    class Name(models.TextChoices):
        ADMIN = "admin", _("Administration de la structure")
        FINANCE = "finance", _("Direction financière")
        VIEWER = "viewer", _("Lecture seule (élu·e)")
        REFERENT = "referent", _("Référent·e communal·e")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="mutualis_roles",
    )
    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    name = models.CharField(_("rôle"), max_length=20, choices=Name.choices)
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referents",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pooling_body", "name", "member"], name="unique_role"
            ),
            models.CheckConstraint(
                condition=(Q(name="referent") & Q(member__isnull=False))
                | (~Q(name="referent") & Q(member__isnull=True)),
                name="referent_role_names_member",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" — {self.member}" if self.member_id else ""
        return f"{self.user} : {self.get_name_display()} ({self.pooling_body}){suffix}"


class Invitation(models.Model):
    """A person invited by e-mail to take a role; the link sets their password once.

    Only a hash of the secret is stored: the link itself is shown to no one but the
    recipient. Accepting, or sending the invitation again, retires the previous link.
    """

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("adresse électronique"))
    name = models.CharField(_("rôle"), max_length=20, choices=Role.Name.choices)
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token_hash = models.CharField(_("empreinte du lien"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité·e par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("envoyée le"))
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["pooling_body", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=(Q(name="referent") & Q(member__isnull=False))
                | (~Q(name="referent") & Q(member__isnull=True)),
                name="referent_invitation_names_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} : {self.get_name_display()} ({self.pooling_body})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
