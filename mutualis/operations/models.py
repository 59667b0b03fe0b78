"""Running shared services year after year (déploiement / pilotage).

A `SharedService` has members over time and a billing mode. Each year its unit cost is
determined from the latest comptes administratifs (`UnitCostNotice` with its
`ChargeLine`s and forecast units) and notified; actual units (`UnitEntry`, per member and
month) then give the `Statement`s. The digital-services catalogue (`Offer`, `TariffBand`,
`Subscription`) is billed through the same statements. Issued statements are frozen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.money import MONEY_DIGITS
from mutualis.engine.reimbursement import ChargeCategory, Frequency

MONEY = MONEY_DIGITS
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class LegalForm(models.TextChoices):
    """Shared with the other apps (scenarios, conventions)."""

    SERVICE_COMMUN = "service_commun", _("Service commun (L.5211-4-2)")
    MAD_ASCENDANTE = "mad_ascendante", _("Mise à disposition ascendante (L.5211-4-1 II)")
    MAD_DESCENDANTE = "mad_descendante", _("Mise à disposition descendante (L.5211-4-1 III)")
    PRESTATION = "prestation", _("Prestation de services (L.5214-16-1)")
    CONVENTION_COMMUNES = "convention_communes", _("Convention entre communes (L.5111-1)")
    ENTENTE = "entente", _("Entente intercommunale (L.5221-1)")
    GROUPEMENT_COMMANDES = "groupement_commandes", _("Groupement de commandes")
    SYNDICAT_GIP = "syndicat_gip", _("Syndicat ou GIP")
    BIENS_PARTAGES = "biens_partages", _("Biens partagés (L.5211-4-3)")


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


class FrozenStatement(Exception):
    """An issued or paid statement may not change; make a corrective statement instead."""

    def __init__(self, number: str) -> None:
        super().__init__(
            f"L'état {number} est émis : il ne peut plus être modifié. "
            "Établissez un état rectificatif."
        )


class Statement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validé")
        ISSUED = "issued", _("Émis")
        PAID = "paid", _("Payé")

    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", _("Appel provisionnel")
        PERIODIC = "periodic", _("État de remboursement")
        REGULARISATION = "regularisation", _("Régularisation contractuelle")
        CORRECTIVE = "corrective", _("État rectificatif")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="statements",
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre débiteur"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    number = models.CharField(_("numéro"), max_length=30)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("exercice"), validators=YEAR)
    period_index = models.PositiveSmallIntegerField(_("période"), default=1)
    period_label = models.CharField(_("libellé de la période"), max_length=60)
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    total_amount = models.DecimalField(_("montant total"), **MONEY, default=Decimal(0))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("état rectifié"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    snapshot = models.JSONField(_("instantané des données"), default=dict, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    issued_at = models.DateTimeField(_("émis le"), null=True, blank=True)
    paid_on = models.DateField(_("payé le"), null=True, blank=True)
    is_sample = models.BooleanField(_("données fictives"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("état de remboursement")
        verbose_name_plural = _("états de remboursement")
        ordering = ["year", "period_index", "member__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pooling_body", "number"], name="unique_statement_number"
            )
        ]
        indexes = [models.Index(fields=["pooling_body", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.member}"

    # The one rule kept in save()/delete(): an issued statement is a legal document, so
    # no code path (admin, shell, a future view) may rewrite it. Services check first and
    # give a friendly message; this is the last line of defence.
    PAYMENT_FIELDS = frozenset({"status", "paid_on"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = Statement.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] in (self.Status.ISSUED, self.Status.PAID):
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if stored.get(f.attname) != getattr(self, f.attname)
                }
                paying = stored["status"] == self.Status.ISSUED and self.status in (
                    self.Status.ISSUED,
                    self.Status.PAID,
                )
                if changed and not (paying and changed <= self.PAYMENT_FIELDS):
                    raise FrozenStatement(self.number)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_frozen:
            raise FrozenStatement(self.number)
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.PAID)


class StatementLine(models.Model):
    statement = models.ForeignKey(
        Statement, verbose_name=_("état"), on_delete=models.CASCADE, related_name="lines"
    )
    service = models.ForeignKey(
        SharedService,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subscription = models.ForeignKey(
        "operations.Subscription",
        verbose_name=_("abonnement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("libellé"), max_length=300)
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3, default=0)
    unit_label = models.CharField(_("unité"), max_length=60, blank=True)
    rate = models.DecimalField(_("prix unitaire"), max_digits=16, decimal_places=6, default=0)
    amount = models.DecimalField(_("montant"), **MONEY)
    formula = models.CharField(_("calcul"), max_length=300, blank=True)
    explanation = models.JSONField(_("explication"), default=dict, blank=True)
    imputation = models.CharField(_("imputation comptable"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("ligne d'état")
        verbose_name_plural = _("lignes d'état")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Statement.objects.filter(pk=self.statement_id, status__in=["issued", "paid"]).exists():
            raise FrozenStatement(self.statement.number)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if Statement.objects.filter(pk=self.statement_id, status__in=["issued", "paid"]).exists():
            raise FrozenStatement(self.statement.number)
        return super().delete(*args, **kwargs)


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


# --- Digital services catalogue ---------------------------------------------------------


class Catalogue(models.Model):
    pooling_body = models.OneToOneField(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="catalogue",
    )
    is_published = models.BooleanField(
        _("publié"), default=False, help_text=_("Page publique lisible sans connexion.")
    )
    introduction = models.TextField(_("présentation"), blank=True)
    billing_frequency = models.CharField(
        _("périodicité de facturation des abonnements"),
        max_length=20,
        choices=[(f.value, f.value.capitalize()) for f in Frequency],
        default=Frequency.QUARTERLY.value,
    )

    class Meta:
        verbose_name = _("catalogue de services numériques")
        verbose_name_plural = _("catalogues de services numériques")

    def __str__(self) -> str:
        return f"Catalogue — {self.pooling_body_id}"


class Offer(models.Model):
    class Category(models.TextChoices):
        HOSTING = "hosting", _("Hébergement")
        EMAIL = "email", _("Messagerie et travail collaboratif")
        IDENTITY = "identity", _("Identité et authentification unique")
        PORTAL = "portal", _("Portail de démarches en ligne")
        GIS = "gis", _("Système d'information géographique")
        OPEN_DATA = "open_data", _("Portail de données ouvertes")
        DPO = "dpo", _("Délégué à la protection des données mutualisé")
        SECURITY = "security", _("Cybersécurité")
        OTHER = "other", _("Autre")

    class Model(models.TextChoices):
        FLAT = "flat", _("Forfait")
        PER_INHABITANT = "per_inhabitant", _("Par habitant")
        BANDS_FLAT = "bands_flat", _("Forfait par tranche de population")
        BANDS_PROGRESSIVE = "bands_progressive", _("Tranches marginales (progressif)")
        PER_USER = "per_user", _("Par utilisateur ou licence")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("intitulé"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    tariff_model = models.CharField(_("modèle tarifaire"), max_length=20, choices=Model.choices)
    amount = models.DecimalField(_("forfait annuel"), **MONEY, null=True, blank=True)
    rate = models.DecimalField(
        _("prix unitaire (par habitant ou utilisateur)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
    )
    minimum_amount = models.DecimalField(_("minimum annuel"), **MONEY, null=True, blank=True)
    maximum_amount = models.DecimalField(_("maximum annuel"), **MONEY, null=True, blank=True)
    population_key = models.CharField(
        _("population retenue"),
        max_length=60,
        default="population_municipale",
        help_text=_("population_municipale, population_totale, population_dgf ou un attribut."),
    )
    imputation = models.CharField(_("imputation comptable"), max_length=40, blank=True)
    is_sample = models.BooleanField(_("données fictives"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offre")
        verbose_name_plural = _("offres")
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pooling_body", "code"], name="unique_offer_code")
        ]

    def __str__(self) -> str:
        return self.name


class TariffBand(models.Model):
    offer = models.ForeignKey(
        Offer, verbose_name=_("offre"), on_delete=models.CASCADE, related_name="bands"
    )
    lower = models.PositiveIntegerField(_("à partir de (habitants)"))
    upper = models.PositiveIntegerField(_("jusqu'à (exclu)"), null=True, blank=True)
    value = models.DecimalField(_("montant ou prix par habitant"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("tranche de population")
        verbose_name_plural = _("tranches de population")
        ordering = ["lower"]

    def __str__(self) -> str:
        return f"{self.lower}–{self.upper or '…'} : {self.value}"


class Subscription(models.Model):
    offer = models.ForeignKey(
        Offer, verbose_name=_("offre"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    start_on = models.DateField(_("début"))
    end_on = models.DateField(_("fin"), null=True, blank=True)
    users = models.PositiveIntegerField(_("utilisateurs ou licences"), default=0)
    is_sample = models.BooleanField(_("données fictives"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        ordering = ["member__name", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="subscription_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer} — {self.member}"
