"""Roles of users in pooling bodies; Django's user model is kept as is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
