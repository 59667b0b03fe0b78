"""The campaign and each member's submission to it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Campaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Clôturée")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField(
        _("année de référence"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    deadline = models.DateField(_("date limite de réponse"), null=True, blank=True)
    domains = models.ManyToManyField(
        "territories.Domain", verbose_name=_("domaines inventoriés"), related_name="+"
    )
    is_sample = models.BooleanField(
        _("données fictives"),
        default=False,
        help_text=_("Campagne de démonstration : les chiffres sont inventés."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    archived_at = models.DateTimeField(
        _("archivée le"),
        null=True,
        blank=True,
        help_text=_(
            "Une campagne qui a des réponses ou des imports s'archive au lieu d'être supprimée."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campagne d'état des lieux")
        verbose_name_plural = _("campagnes d'état des lieux")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["pooling_body", "year"], name="unique_campaign_per_body_year"
            )
        ]

    def __str__(self) -> str:
        return f"État des lieux {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Submission(models.Model):
    """Where a member stands in a campaign; no row means not started."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Transmise")
        REOPENED = "reopened", _("Rouverte")

    # PROTECT: a campaign with answers is archived, never deleted (audit trail).
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="submissions"
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="inventory_submissions",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transmise par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("rouverte le"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rouverte par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("réponse d'un membre")
        verbose_name_plural = _("réponses des membres")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member"], name="unique_submission_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_reopened(self) -> bool:
        return self.status == self.Status.REOPENED
