"""The digital-services catalogue: offers, population bands, subscriptions."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.engine.reimbursement import Frequency
from mutualis.fields import MONEY


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
