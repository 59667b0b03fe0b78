"""Conventions of pooling: one `Convention` per agreement, one `ConventionVersion` per text.

The first version is the initial convention; each avenant is a new version. A signed
version is frozen: its terms, parties and staff lines are never edited in place (the
model refuses it below, the services and views refuse it before). Only its lifecycle
fields (status, termination) move on after the signature.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords

from mutualis.conventions.legal_forms import LEGAL_FORMS, LegalForm, LegalFormCode, Method
from mutualis.fields import MONEY, NON_NEGATIVE


class SignedVersionImmutable(Exception):
    """Raised when code tries to edit a signed version in place."""


class Convention(models.Model):
    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="conventions",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    legal_form = models.CharField(
        _("forme juridique"), max_length=30, choices=LegalFormCode.choices
    )
    source_snapshot = models.ForeignKey(
        "scenarios.ScenarioSnapshot",
        verbose_name=_("instantané de scénario d'origine"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conventions",
    )
    is_sample = models.BooleanField(
        _("données fictives"),
        default=False,
        help_text=_("Convention de démonstration : les chiffres sont inventés."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def form(self) -> LegalForm:
        return LEGAL_FORMS[self.legal_form]


class VersionQuerySet(models.QuerySet["ConventionVersion"]):
    def update(self, **kwargs: Any) -> int:
        frozen = set(kwargs) - ConventionVersion.LIFECYCLE_FIELDS
        if frozen and self.filter(status__in=ConventionVersion.LOCKED).exists():
            raise SignedVersionImmutable(
                "Une version signée ne se modifie pas : rédigez un avenant."
            )
        return super().update(**kwargs)


class ConventionVersion(models.Model):
    """The text of a convention: version 1 is the convention, the next ones its avenants."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Projet")
        SENT = "sent", _("Transmise aux parties")
        SIGNED = "signed", _("Signée")
        IN_FORCE = "in_force", _("En vigueur")
        EXPIRED = "expired", _("Échue")
        TERMINATED = "terminated", _("Résiliée")
        SUPERSEDED = "superseded", _("Remplacée par un avenant")

    class Renewal(models.TextChoices):
        NONE = "none", _("Pas de renouvellement")
        TACIT = "tacit", _("Reconduction tacite")
        EXPRESS = "express", _("Renouvellement exprès par délibération")

    class EpciKind(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")

    LOCKED = ("signed", "in_force", "expired", "terminated", "superseded")
    LIFECYCLE_FIELDS = frozenset({"status", "terminated_on", "termination_reason"})

    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("numéro de version"), default=1)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    amendment_reason = models.TextField(_("objet de l'avenant"), blank=True)
    subject = models.TextField(_("objet"))
    scope = models.TextField(_("périmètre"), blank=True)
    epci_kind = models.CharField(
        _("catégorie d'EPCI"), max_length=5, choices=EpciKind.choices, blank=True
    )
    start_on = models.DateField(_("date d'effet"))
    end_on = models.DateField(_("date de fin"))
    renewal = models.CharField(
        _("renouvellement"), max_length=10, choices=Renewal.choices, default=Renewal.NONE
    )
    notice_months = models.PositiveSmallIntegerField(
        _("préavis (mois)"), default=3, validators=[MaxValueValidator(36)]
    )
    method = models.CharField(
        _("méthode financière"), max_length=15, choices=Method.choices, blank=True
    )
    periodicity_months = models.PositiveSmallIntegerField(
        _("périodicité des paiements (mois)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    unit_label = models.CharField(_("unité de fonctionnement"), max_length=60, blank=True)
    charges_amount = models.DecimalField(
        _("charges prévisionnelles (€)"), **MONEY, null=True, blank=True, validators=NON_NEGATIVE
    )
    tariff_amount = models.DecimalField(
        _("tarif par unité (€)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    key_label = models.CharField(_("clé de répartition"), max_length=120, blank=True)
    regularisation_clause = models.BooleanField(
        _("régularisation contractuelle sur le coût réel"), default=False
    )
    cst_consulted_on = models.DateField(
        _("avis du comité social territorial"), null=True, blank=True
    )
    monitoring_committee = models.BooleanField(_("comité de suivi"), default=True)
    yearly_report = models.BooleanField(_("rapport annuel"), default=True)
    termination_terms = models.TextField(_("conditions de résiliation"), blank=True)
    sent_on = models.DateField(_("transmise le"), null=True, blank=True)
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    signed_scan = models.FileField(
        _("exemplaire signé (PDF)"), upload_to="conventions/signed/", blank=True
    )
    signed_scan_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    signed_scan_size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    terminated_on = models.DateField(_("résiliée le"), null=True, blank=True)
    termination_reason = models.TextField(_("motif de résiliation"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("version de convention")
        verbose_name_plural = _("versions de convention")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="unique_version_number"),
            models.CheckConstraint(condition=Q(end_on__gte=F("start_on")), name="end_after_start"),
        ]

    def __str__(self) -> str:
        if self.number == 1:
            return f"{self.convention}"
        return f"{self.convention} — avenant n° {self.number - 1}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The last line of defence: services and views refuse earlier, with a message.
        loaded = getattr(self, "_loaded_status", None)
        if loaded in self.LOCKED:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - self.LIFECYCLE_FIELDS:
                raise SignedVersionImmutable(
                    "Une version signée ne se modifie pas : rédigez un avenant."
                )
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_status = instance.status
        return instance

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED

    @property
    def label(self) -> StrOrPromise:
        return (
            _("Convention initiale")
            if self.number == 1
            else _("Avenant n° %(n)s") % {"n": self.number - 1}
        )


class Party(models.Model):
    """A party to one version: a member, or the pooling body itself (`member` empty)."""

    version = models.ForeignKey(
        ConventionVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="parties",
    )
    member = models.ForeignKey(
        "territories.Member",
        verbose_name=_("membre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convention_parties",
    )
    forecast_units = models.DecimalField(
        _("unités prévisionnelles"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    key_weight = models.DecimalField(
        _("poids dans la clé"),
        max_digits=18,
        decimal_places=4,
        default=Decimal(0),
        validators=NON_NEGATIVE,
    )
    # The yearly attribution de compensation before the service's deduction (CGI 1609
    # nonies C); may be negative. Required from each commune when the method is an AC
    # deduction, unused otherwise.
    ac_base = models.DecimalField(
        _("attribution de compensation avant imputation (€)"),
        **MONEY,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("partie")
        verbose_name_plural = _("parties")
        ordering = ["member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="unique_party_member"),
            models.UniqueConstraint(
                fields=["version"], condition=Q(member__isnull=True), name="one_pooling_body_party"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pooling_body(self) -> bool:
        return self.member_id is None

    @property
    def name(self) -> str:
        member = self.member
        if member is None:
            return self.version.convention.pooling_body.name
        return member.name

    @property
    def code(self) -> str:
        member = self.member
        if member is None:
            return self.version.convention.pooling_body.siren or "structure"
        return member.code


class StaffLine(models.Model):
    """Agents transferred or made available, as aggregates (category, ETP): no names."""

    class Category(models.TextChoices):
        A = "A", _("Catégorie A")
        B = "B", _("Catégorie B")
        C = "C", _("Catégorie C")

    class Mode(models.TextChoices):
        TRANSFER = "transfer", _("Transfert de plein droit")
        MADE_AVAILABLE = "made_available", _("Mise à disposition de plein droit")

    version = models.ForeignKey(
        ConventionVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="staff"
    )
    category = models.CharField(_("catégorie"), max_length=1, choices=Category.choices)
    mode = models.CharField(_("situation"), max_length=15, choices=Mode.choices)
    fte = models.DecimalField(
        _("ETP"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    description = models.CharField(_("fonctions"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agents concernés")
        verbose_name_plural = _("agents concernés")
        ordering = ["category", "pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} — {self.fte} ETP"


class Deliberation(models.Model):
    """The vote of one party's council or bureau on one version."""

    class Body(models.TextChoices):
        MUNICIPAL_COUNCIL = "conseil_municipal", _("Conseil municipal")
        COMMUNITY_COUNCIL = "conseil_communautaire", _("Conseil communautaire")
        COMMITTEE = "comite_syndical", _("Comité syndical")
        BUREAU = "bureau", _("Bureau (par délégation)")

    party = models.OneToOneField(
        Party, verbose_name=_("partie"), on_delete=models.CASCADE, related_name="deliberation"
    )
    deciding_body = models.CharField(_("organe délibérant"), max_length=25, choices=Body.choices)
    voted_on = models.DateField(_("date de la séance"))
    number = models.CharField(_("numéro de la délibération"), max_length=40)
    votes_for = models.PositiveSmallIntegerField(_("voix pour"))
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("délibération")
        verbose_name_plural = _("délibérations")

    def __str__(self) -> str:
        return f"{self.party} — n° {self.number} du {self.voted_on:%d/%m/%Y}"

    @property
    def adopted(self) -> bool:
        return self.votes_for > self.votes_against


class DocumentTemplate(models.Model):
    """A pooling body's own DOCX or ODT template, overriding the default of a legal form."""

    class Kind(models.TextChoices):
        CONVENTION = "convention", _("Convention")
        DELIBERATION = "deliberation", _("Projet de délibération")

    pooling_body = models.ForeignKey(
        "territories.PoolingBody",
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="convention_templates",
    )
    legal_form = models.CharField(
        _("forme juridique"), max_length=30, choices=LegalFormCode.choices
    )

    class Format(models.TextChoices):
        DOCX = "docx", _("DOCX (Word)")
        ODT = "odt", _("ODT (LibreOffice)")

    kind = models.CharField(_("document"), max_length=15, choices=Kind.choices)
    file_format = models.CharField(
        _("format"), max_length=4, choices=Format.choices, default=Format.DOCX
    )
    file = models.FileField(_("modèle"), upload_to="conventions/templates/")
    file_name = models.CharField(_("nom du fichier"), max_length=200)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("modèle de document")
        verbose_name_plural = _("modèles de document")
        constraints = [
            models.UniqueConstraint(
                fields=["pooling_body", "legal_form", "kind", "file_format"],
                name="unique_template_per_form_and_format",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} — {self.get_legal_form_display()} "
            f"({self.get_file_format_display()})"
        )


# The terms of a version that its edit form and `services.update_terms` handle.
TERM_FIELDS = (
    "subject",
    "scope",
    "epci_kind",
    "start_on",
    "end_on",
    "renewal",
    "notice_months",
    "method",
    "periodicity_months",
    "unit_label",
    "charges_amount",
    "tariff_amount",
    "key_label",
    "regularisation_clause",
    "cst_consulted_on",
    "monitoring_committee",
    "yearly_report",
    "termination_terms",
)
