"""The yearly cycle of D.5211-16: unit-cost notice, its charges and forecasts, actual units."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.reimbursement import ChargeCategory
from mutualis.fields import MONEY, NON_NEGATIVE
from mutualis.operations.models.shared import YEAR, SharedService


class UnitCostNotice(models.Model):
    """The yearly unit-cost determination of D.5211-16, then its notification."""

    service = models.ForeignKey(
        SharedService,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    year = models.PositiveSmallIntegerField(_("exercice facturé"), validators=YEAR)
    accounts_year = models.PositiveSmallIntegerField(
        _("exercice du compte administratif"), validators=YEAR
    )
    own_use_units = models.DecimalField(
        _("unités prévisionnelles de la structure (usage propre)"),
        max_digits=14,
        decimal_places=3,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    unit_cost = models.DecimalField(
        _("coût unitaire"), max_digits=16, decimal_places=6, null=True, blank=True
    )
    eligible_amount = models.DecimalField(_("charges éligibles"), **MONEY, null=True, blank=True)
    forecast_units = models.DecimalField(
        _("unités prévisionnelles"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    explanation = models.JSONField(_("explication"), default=dict, blank=True)
    notified_on = models.DateField(_("notifié le"), null=True, blank=True)
    deadline_on = models.DateField(_("date limite de notification"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coût unitaire notifié")
        verbose_name_plural = _("coûts unitaires notifiés")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="one_notice_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.service} — {self.year}"

    @property
    def is_notified(self) -> bool:
        return self.notified_on is not None

    @property
    def is_late(self) -> bool:
        return bool(self.notified_on and self.deadline_on and self.notified_on > self.deadline_on)


class ChargeLine(models.Model):
    class Source(models.TextChoices):
        ACCOUNTS = "accounts", _("Compte administratif")
        BUDGET = "budget", _("Ajustement du budget primitif")

    notice = models.ForeignKey(
        UnitCostNotice,
        verbose_name=_("coût unitaire"),
        on_delete=models.CASCADE,
        related_name="charges",
    )
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    category = models.CharField(
        _("catégorie"),
        max_length=40,
        choices=[(c.value, c.label) for c in ChargeCategory],
    )
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant"), **MONEY)
    eligible = models.BooleanField(_("éligible"), default=True)
    reason = models.CharField(
        _("motif"),
        max_length=300,
        blank=True,
        help_text=_(
            "Obligatoire pour un ajustement du budget primitif et pour retenir une charge "
            "« autre »."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["source", "category", "pk"]

    def __str__(self) -> str:
        return self.label


class MemberForecast(models.Model):
    notice = models.ForeignKey(
        UnitCostNotice,
        verbose_name=_("coût unitaire"),
        on_delete=models.CASCADE,
        related_name="forecasts",
    )
    member = models.ForeignKey(
        "territories.Member", verbose_name=_("membre"), on_delete=models.CASCADE, related_name="+"
    )
    units = models.DecimalField(
        _("unités prévisionnelles"), max_digits=14, decimal_places=3, validators=NON_NEGATIVE
    )

    class Meta:
        verbose_name = _("prévision d'unités")
        verbose_name_plural = _("prévisions d'unités")
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="one_forecast_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} : {self.units}"


class UnitEntry(models.Model):
    class Origin(models.TextChoices):
        TYPED = "typed", _("Saisie")
        IMPORT = "import", _("Import")
        REFERENT = "referent", _("Saisie du référent communal")

    service = models.ForeignKey(
        SharedService,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="unit_entries",
    )
    member = models.ForeignKey(
        "territories.Member", verbose_name=_("membre"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR)
    month = models.PositiveSmallIntegerField(
        _("mois"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    units = models.DecimalField(
        _("unités constatées"), max_digits=14, decimal_places=3, validators=NON_NEGATIVE
    )
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unités constatées")
        verbose_name_plural = _("unités constatées")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "member", "year", "month"], name="one_unit_entry_per_month"
            ),
            models.CheckConstraint(condition=Q(units__gte=0), name="unit_entry_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:02d}/{self.year} : {self.units}"
