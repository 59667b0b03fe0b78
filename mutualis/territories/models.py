"""The pooling body, its members over time, and its domain taxonomy."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

siren_validator = RegexValidator(r"^\d{9}$", _("Le SIREN doit comporter 9 chiffres."))
insee_validator = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$", _("Le code INSEE doit comporter 5 caractères (ex. 21573).")
)


class PoolingBody(models.Model):
    """The structure porteuse that runs the pooling (EPCI, syndicat mixte, GIP, commune…)."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("EPCI à fiscalité propre")
        SYNDICAT_MIXTE = "syndicat_mixte", _("Syndicat mixte")
        SYNDICAT = "syndicat", _("Syndicat intercommunal")
        GIP = "gip", _("Groupement d'intérêt public")
        COMMUNE = "commune", _("Commune (service porté par une commune)")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("forme juridique"), max_length=20, choices=Kind.choices)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[siren_validator])
    source_epci = models.ForeignKey(
        "refdata.Epci",
        verbose_name=_("EPCI du référentiel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    communes_transparency = models.BooleanField(
        _("transparence entre communes"),
        default=False,
        help_text=_(
            "Si coché, chaque référent·e lit aussi le détail des coûts et des contrats des "
            "autres communes ; sinon seulement sa commune et les totaux du territoire."
        ),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("structure porteuse")
        verbose_name_plural = _("structures porteuses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="unique_pooling_body_siren"
            )
        ]

    def __str__(self) -> str:
        return self.name


def member_code(insee_code: str, siren: str) -> str:
    """A member's code: its INSEE code for a commune, else its SIREN."""
    return insee_code or siren


class Member(models.Model):
    """A member of a pooling body: a commune (INSEE code) or another body (SIREN)."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI")
        SYNDICAT = "syndicat", _("Syndicat")
        OTHER = "other", _("Autre organisme")

    pooling_body = models.ForeignKey(
        PoolingBody,
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    kind = models.CharField(
        _("type de membre"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE
    )
    name = models.CharField(_("nom"), max_length=200)
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, blank=True, validators=[insee_validator]
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[siren_validator])
    population_municipale = models.PositiveIntegerField(
        _("population municipale"), null=True, blank=True
    )
    population_totale = models.PositiveIntegerField(_("population totale"), null=True, blank=True)
    population_dgf = models.PositiveIntegerField(_("population DGF"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("millésime des populations"), null=True, blank=True
    )
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
    outside_epci = models.BooleanField(
        _("hors périmètre de l'EPCI"),
        default=False,
        help_text=_("Commune adhérant à un service commun sans être membre de l'EPCI."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["name", "insee_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["pooling_body", "insee_code"],
                condition=~Q(insee_code=""),
                name="unique_member_insee_per_body",
            ),
            models.CheckConstraint(
                condition=~Q(insee_code="") | ~Q(siren=""),
                name="member_has_insee_or_siren",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return member_code(self.insee_code, self.siren)


class MemberAttribute(models.Model):
    """A free numeric attribute of a member (potentiel financier, km de voirie…)."""

    member = models.ForeignKey(
        Member, verbose_name=_("membre"), on_delete=models.CASCADE, related_name="attributes"
    )
    key = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("libellé"), max_length=120)
    value = models.DecimalField(_("valeur"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unité"), max_length=30, blank=True)
    source = models.CharField(_("source"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    is_sample = models.BooleanField(
        _("donnée fictive"),
        default=False,
        help_text=_("Valeur d'exemple de la démonstration, à ne pas utiliser telle quelle."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attribut de membre")
        verbose_name_plural = _("attributs de membre")
        ordering = ["key", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "key", "year"], name="unique_attribute_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"


class Membership(models.Model):
    """A period during which a member belongs to the pooling body."""

    member = models.ForeignKey(
        Member, verbose_name=_("membre"), on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(_("date d'adhésion"))
    left_on = models.DateField(_("date de retrait"), null=True, blank=True)
    note = models.CharField(_("observation"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["joined_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} depuis {self.joined_on:%d/%m/%Y}"


class Domain(models.Model):
    """A domain of pooling (RH, voirie, messagerie…), editable per pooling body."""

    class Family(models.TextChoices):
        FUNCTIONAL = "functional", _("Services fonctionnels")
        OPERATIONAL = "operational", _("Services opérationnels")
        DIGITAL = "digital", _("Services numériques")

    pooling_body = models.ForeignKey(
        PoolingBody,
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="domains",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("intitulé"), max_length=120)
    family = models.CharField(_("famille"), max_length=20, choices=Family.choices)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")
        ordering = ["family", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pooling_body", "code"], name="unique_domain_code")
        ]

    def __str__(self) -> str:
        return self.name
