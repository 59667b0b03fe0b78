"""Pooling scenarios built from an inventory campaign, and the snapshots shown to councils.

A scenario holds its perimeter (domain, legal form, members, years), its cost model and
its cost-sharing method; its results are computed on demand by `analysis` from the
inventory. A snapshot freezes the results as presented: the same JSON document as
`mutualis scenario report --format json` (docs/scenarios.md), with the engine version.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.money import Digits
from mutualis.fields import MONEY, NON_NEGATIVE, LegalForm

RATE: Digits = {"max_digits": 7, "decimal_places": 4}
MAX_HORIZON_YEARS = 30


class Scenario(models.Model):
    """A costed pooling scenario: perimeter, cost model and cost-sharing method."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PRESENTED = "presented", _("Présenté aux élus")
        PUBLISHED = "published", _("Publié aux communes")

    class Category(models.TextChoices):
        A = "A", _("Catégorie A")
        B = "B", _("Catégorie B")
        C = "C", _("Catégorie C")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="scenarios",
    )
    campaign = models.ForeignKey(
        "inventory.Campaign",
        verbose_name=_("état des lieux source"),
        on_delete=models.PROTECT,
        related_name="scenarios",
    )
    name = models.CharField(_("intitulé"), max_length=200)
    domain = models.ForeignKey(
        "territories.Domain",
        verbose_name=_("domaine"),
        on_delete=models.PROTECT,
        related_name="scenarios",
    )
    legal_form = models.CharField(
        _("forme juridique"),
        max_length=24,
        # Shared goods (L.5211-4-3) are pooled without a costed scenario.
        choices=[c for c in LegalForm.choices if c[0] != LegalForm.BIENS_PARTAGES],
    )
    members = models.ManyToManyField(
        "territories.Member", verbose_name=_("membres participants"), related_name="scenarios"
    )
    start_year = models.PositiveSmallIntegerField(
        _("année de démarrage"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    horizon_years = models.PositiveSmallIntegerField(
        _("horizon (années)"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    method = models.CharField(_("méthode de répartition"), max_length=60, default="shapley")
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Cost model of the shared service (see docs/scenarios.md).
    workload_unit = models.CharField(_("unité de charge"), max_length=20)
    productivity = models.DecimalField(
        _("productivité (unités par ETP et par an)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    staff_category = models.CharField(
        _("catégorie des agents du service"), max_length=1, choices=Category.choices
    )
    cost_per_fte_a = models.DecimalField(
        _("coût chargé d'un ETP de catégorie A (€)"), **MONEY, validators=NON_NEGATIVE
    )
    cost_per_fte_b = models.DecimalField(
        _("coût chargé d'un ETP de catégorie B (€)"), **MONEY, validators=NON_NEGATIVE
    )
    cost_per_fte_c = models.DecimalField(
        _("coût chargé d'un ETP de catégorie C (€)"), **MONEY, validators=NON_NEGATIVE
    )
    fixed_costs_amount = models.DecimalField(
        _("coûts fixes annuels (€)"), **MONEY, validators=NON_NEGATIVE
    )
    cost_per_unit_amount = models.DecimalField(
        _("coût par unité (€)"), **MONEY, validators=NON_NEGATIVE
    )
    transition_costs_amount = models.DecimalField(
        _("coûts ponctuels de transition (€)"), **MONEY, validators=NON_NEGATIVE
    )
    staff_indexation_rate = models.DecimalField(
        _("indexation annuelle du personnel"), **RATE, default=Decimal("0.025")
    )
    other_indexation_rate = models.DecimalField(
        _("indexation annuelle des autres charges"), **RATE, default=Decimal("0.02")
    )
    discount_rate = models.DecimalField(_("taux d'actualisation"), **RATE, default=Decimal("0.03"))
    staffing_step_fte = models.DecimalField(
        _("pas de recrutement (ETP)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    manager_span = models.PositiveSmallIntegerField(
        _("agents par encadrant"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    member_overrides = models.JSONField(
        _("valeurs saisies par membre"),
        default=dict,
        blank=True,
        help_text=_("Par code INSEE : charge, coût actuel ou coût restant à la commune."),
    )
    defaults = models.JSONField(
        _("valeurs par défaut et leur source"),
        default=dict,
        blank=True,
        help_text=_(
            "Champ → source de la valeur pré-remplie ; absent quand la valeur a été saisie."
        ),
    )
    # The report document computed last, and the hash of the inputs it was computed from
    # (services.current_report): pages and documents read it instead of recomputing.
    results = models.JSONField(_("derniers résultats calculés"), null=True, blank=True)
    results_key = models.CharField(_("empreinte des données de calcul"), max_length=64, blank=True)
    is_sample = models.BooleanField(
        _("données fictives"),
        default=False,
        help_text=_("Scénario de démonstration : les chiffres sont inventés."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["results", "results_key"])

    class Meta:
        verbose_name = _("scénario")
        verbose_name_plural = _("scénarios")
        ordering = ["-created_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(productivity__gt=0), name="scenario_productivity_positive"
            ),
            models.CheckConstraint(
                condition=Q(horizon_years__gte=1) & Q(horizon_years__lte=MAX_HORIZON_YEARS),
                name="scenario_horizon_1_to_30",
            ),
            models.CheckConstraint(
                condition=Q(fixed_costs_amount__gte=0)
                & Q(cost_per_unit_amount__gte=0)
                & Q(transition_costs_amount__gte=0)
                & Q(cost_per_fte_a__gte=0)
                & Q(cost_per_fte_b__gte=0)
                & Q(cost_per_fte_c__gte=0),
                name="scenario_costs_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__gt=-1), name="scenario_discount_above_minus_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years - 1


class ScenarioSnapshot(models.Model):
    """A scenario's results as presented to a council, frozen: they never change."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scénario"), on_delete=models.CASCADE, related_name="snapshots"
    )
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("figé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("figé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    engine_version = models.CharField(_("version du moteur de calcul"), max_length=20)
    payload = models.JSONField(
        _("résultats figés"),
        help_text=_("Le document JSON de « mutualis scenario report » (docs/scenarios.md)."),
    )

    class Meta:
        verbose_name = _("instantané de scénario")
        verbose_name_plural = _("instantanés de scénario")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scenario} — {self.created_at:%d/%m/%Y %H:%M}"


# Cost-model names of the JSON document and the forms -> Scenario fields.
COST_FIELDS: dict[str, str] = {
    "workload_unit": "workload_unit",
    "productivity": "productivity",
    "staff_category": "staff_category",
    "fixed_costs": "fixed_costs_amount",
    "cost_per_unit": "cost_per_unit_amount",
    "transition_costs": "transition_costs_amount",
    "staff_indexation_rate": "staff_indexation_rate",
    "other_indexation_rate": "other_indexation_rate",
    "discount_rate": "discount_rate",
    "staffing_step": "staffing_step_fte",
    "manager_span": "manager_span",
}
FTE_FIELDS = {"A": "cost_per_fte_a", "B": "cost_per_fte_b", "C": "cost_per_fte_c"}
