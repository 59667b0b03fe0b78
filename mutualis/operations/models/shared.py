"""A shared service, its members over time, and the attribution de compensation base."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.reimbursement import Frequency
from mutualis.fields import MONEY, LegalForm

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class SharedService(models.Model):
    class BillingMode(models.TextChoices):
        UNIT_COST = "unit_cost", _("Remboursement au coût unitaire notifié (D.5211-16)")
        AC_DEDUCTION = "ac_deduction", _("Imputation sur l'attribution de compensation")
        TARIFF = "tariff", _("Tarif du catalogue")
        KEY = "key", _("Clé de répartition")

    class Key(models.TextChoices):
        EQUAL = "equal", _("Parts égales")
        POPULATION = "population", _("Population municipale")
        UNITS = "units", _("Unités d'œuvre constatées")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="shared_services",
    )
    name = models.CharField(_("intitulé"), max_length=200)
    domain = models.ForeignKey(
        "territories.Domain",
        verbose_name=_("domaine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_form = models.CharField(_("forme juridique"), max_length=30, choices=LegalForm.choices)
    convention = models.ForeignKey(
        "conventions.Convention",
        verbose_name=_("convention"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shared_services",
        help_text=_("La convention de la même structure qui fonde ce service (facultatif)."),
    )
    signed_on = models.DateField(
        _("date de signature de la convention"),
        null=True,
        blank=True,
        help_text=_(
            "L'année de la signature, le coût unitaire est notifié dans les trois mois qui "
            "suivent (CGCT D.5211-16) au lieu de la date du budget."
        ),
    )
    billing_mode = models.CharField(
        _("mode de facturation"), max_length=20, choices=BillingMode.choices
    )
    key = models.CharField(_("clé de répartition"), max_length=20, choices=Key.choices, blank=True)
    offer = models.ForeignKey(
        "operations.Offer",
        verbose_name=_("offre du catalogue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    unit_label = models.CharField(
        _("unité de fonctionnement (au pluriel)"), max_length=60, default="unités"
    )
    frequency = models.CharField(
        _("périodicité de facturation"),
        max_length=20,
        choices=[(f.value, f.value.capitalize()) for f in Frequency],
        default=Frequency.QUARTERLY.value,
    )
    regularisation_clause = models.BooleanField(
        _("clause de régularisation sur le coût réel"),
        default=False,
        help_text=_("La convention prévoit une régularisation sur les charges réelles."),
    )
    regularisation_reference = models.CharField(
        _("article de la clause de régularisation"),
        max_length=200,
        blank=True,
        help_text=_("Ex. « article 7 de la convention » ; cité dans l'explication."),
    )
    imputation = models.CharField(
        _("imputation comptable"), max_length=40, blank=True, help_text=_("Ex. 70846")
    )
    is_sample = models.BooleanField(_("données fictives"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service mutualisé")
        verbose_name_plural = _("services mutualisés")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def uses_unit_cost(self) -> bool:
        return self.billing_mode in (self.BillingMode.UNIT_COST, self.BillingMode.AC_DEDUCTION)


class ServiceMember(models.Model):
    service = models.ForeignKey(
        SharedService,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="service_participations",
    )
    start_on = models.DateField(_("date d'entrée"))
    end_on = models.DateField(_("date de sortie"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre du service")
        verbose_name_plural = _("membres du service")
        ordering = ["member__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="service_member_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.service}"


class AcBase(models.Model):
    """The attribution de compensation voted for a member and year, before deductions."""

    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="ac_bases",
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR)
    amount = models.DecimalField(_("attribution de compensation avant imputation"), **MONEY)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attribution de compensation")
        verbose_name_plural = _("attributions de compensation")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_ac_per_member_year")
        ]

    def __str__(self) -> str:
        return f"AC {self.year} — {self.member_id}"
