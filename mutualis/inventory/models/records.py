"""What a member declares for the campaign's reference year: services (with staff and
cost lines), assets and contracts."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.annualised import AnnualisedCost
from mutualis.fields import MONEY, NON_NEGATIVE
from mutualis.inventory import rules
from mutualis.inventory.catalogue import CHAPTERS, UNITS
from mutualis.inventory.models.campaign import Campaign


class ServiceRecord(models.Model):
    """How one member provides one domain in the reference year."""

    class Mode(models.TextChoices):
        IN_HOUSE = "regie", _("En régie")
        OUTSOURCED = "externalise", _("Externalisé")
        POOLED = "mutualise", _("Déjà mutualisé")
        NOT_PROVIDED = "non_assure", _("Non assuré")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="services"
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="inventory_services",
    )
    domain = models.ForeignKey(
        "territories.Domain",
        verbose_name=_("domaine"),
        on_delete=models.PROTECT,
        related_name="inventory_services",
    )
    mode = models.CharField(_("mode de gestion"), max_length=12, choices=Mode.choices)
    activity_volume = models.DecimalField(
        _("volume d'activité"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    activity_unit = models.CharField(
        _("unité d'activité"), max_length=20, blank=True, choices=list(UNITS.items())
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 à 5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    needs = models.TextField(_("besoins"), blank=True)
    difficulties = models.TextField(_("difficultés"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fiche service")
        verbose_name_plural = _("fiches service")
        ordering = ["member__name", "domain__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "domain"], name="unique_service_record"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__range=(1, 5)),
                name="service_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(activity_volume__isnull=True) | Q(activity_volume__gte=0),
                name="service_volume_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.domain}"


class StaffLine(models.Model):
    """Staff of a service as an aggregate per category: never named people (RGPD)."""

    class Category(models.TextChoices):
        A = "A", _("Catégorie A")
        B = "B", _("Catégorie B")
        C = "C", _("Catégorie C")
        CONTRACT = "contractuel", _("Contractuels")

    service = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("fiche service"),
        on_delete=models.CASCADE,
        related_name="staff_lines",
    )
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    fte = models.DecimalField(_("ETP"), max_digits=6, decimal_places=2, validators=NON_NEGATIVE)
    cost_amount = models.DecimalField(
        _("coût annuel chargé (€)"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ligne de personnel")
        verbose_name_plural = _("lignes de personnel")
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["service", "category"], name="unique_staff_category"),
            models.CheckConstraint(
                condition=Q(fte__gte=0) & Q(cost_amount__gte=0), name="staff_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} : {self.fte} ETP"


class CostLine(models.Model):
    """Operating costs of a service by M57 chapter, staff of the staff lines excluded."""

    service = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("fiche service"),
        on_delete=models.CASCADE,
        related_name="cost_lines",
    )
    chapter = models.CharField(_("chapitre M57"), max_length=4, choices=list(CHAPTERS.items()))
    amount = models.DecimalField(_("montant (€)"), **MONEY, validators=NON_NEGATIVE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ligne de charges")
        verbose_name_plural = _("lignes de charges")
        ordering = ["chapter"]
        constraints = [
            models.UniqueConstraint(fields=["service", "chapter"], name="unique_cost_chapter"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.chapter} : {self.amount} €"


class Asset(models.Model):
    """An equipment, building or vehicle of a member, as known for the campaign's year."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipement", _("Équipement")
        BUILDING = "batiment", _("Bâtiment")
        VEHICLE = "vehicule", _("Véhicule")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="assets"
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="inventory_assets",
    )
    domain = models.ForeignKey(
        "territories.Domain",
        verbose_name=_("domaine"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_assets",
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("désignation"), max_length=150)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    capacity = models.PositiveIntegerField(
        _("capacité"), null=True, blank=True, help_text=_("Places, personnes ou unités.")
    )
    acquisition_year = models.PositiveSmallIntegerField(
        _("année d'acquisition"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    acquisition_cost_amount = models.DecimalField(
        _("coût d'acquisition (€)"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE
    )
    subsidies_amount = models.DecimalField(
        _("subventions reçues (€)"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    useful_life_years = models.PositiveSmallIntegerField(
        _("durée normale d'utilisation (ans)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    running_cost_amount = models.DecimalField(
        _("coût de fonctionnement annuel (€)"),
        **MONEY,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    utilisation_rate = models.DecimalField(
        _("taux d'utilisation (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    shareable = models.BooleanField(_("mutualisable"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bien")
        verbose_name_plural = _("biens (équipements, bâtiments, véhicules)")
        ordering = ["member__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "name"], name="unique_asset_name_per_member"
            ),
            models.CheckConstraint(
                condition=Q(utilisation_rate__isnull=True) | Q(utilisation_rate__range=(0, 100)),
                name="asset_utilisation_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(subsidies_amount__gte=0) & Q(running_cost_amount__gte=0),
                name="asset_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def annualised(self) -> AnnualisedCost | None:
        """Annualised cost (CGI art. 1609 nonies C), when cost and useful life are known."""
        return rules.annualised(
            self.name,
            self.acquisition_cost_amount,
            self.useful_life_years,
            self.subsidies_amount,
            self.running_cost_amount,
        )

    @property
    def annualised_cost_amount(self) -> Decimal | None:
        result = self.annualised
        return None if result is None else result.annual_cost


class Contract(models.Model):
    """A contract or a software subscription of a member."""

    class Kind(models.TextChoices):
        SOFTWARE = "logiciel", _("Logiciel ou abonnement")
        SERVICE = "prestation", _("Prestation de service")
        MAINTENANCE = "maintenance", _("Maintenance")
        LEASE = "location", _("Location")
        OTHER = "autre", _("Autre")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="contracts"
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="inventory_contracts",
    )
    domain = models.ForeignKey(
        "territories.Domain",
        verbose_name=_("domaine"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inventory_contracts",
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SOFTWARE)
    vendor = models.CharField(_("fournisseur"), max_length=150)
    product = models.CharField(_("produit ou objet"), max_length=150)
    yearly_cost_amount = models.DecimalField(_("coût annuel (€)"), **MONEY, validators=NON_NEGATIVE)
    start_on = models.DateField(_("date de début"))
    end_on = models.DateField(_("date de fin"), null=True, blank=True)
    notice_period_months = models.PositiveSmallIntegerField(
        _("préavis (mois)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contrat ou logiciel")
        verbose_name_plural = _("contrats et logiciels")
        ordering = ["member__name", "vendor", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "vendor", "product"],
                name="unique_contract_per_member",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(yearly_cost_amount__gte=0), name="contract_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} — {self.product}"
