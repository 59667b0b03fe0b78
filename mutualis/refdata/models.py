"""French communes and EPCI of the COG, loaded from the committed dataset."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EpciKind(models.TextChoices):
    CC = "CC", _("Communauté de communes")
    CA = "CA", _("Communauté d'agglomération")
    CU = "CU", _("Communauté urbaine")
    METRO = "METRO", _("Métropole")
    MET69 = "MET69", _("Métropole de Lyon")


class Epci(models.Model):
    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    name_search = models.CharField(
        _("nom normalisé"), max_length=200, editable=False, help_text=_("Pour la recherche.")
    )
    kind = models.CharField(_("nature juridique"), max_length=5, choices=EpciKind.choices)
    fiscal_regime = models.CharField(
        _("régime fiscal"),
        max_length=10,
        help_text=_("FPU : fiscalité professionnelle unique ; FA : fiscalité additionnelle."),
    )
    population_municipale = models.PositiveIntegerField(_("population municipale"))
    population_totale = models.PositiveIntegerField(_("population totale"))

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.siren})"


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        help_text=_("Vide pour quelques communes d'outre-mer."),
    )
    name = models.CharField(_("nom"), max_length=200)
    departement = models.CharField(_("département"), max_length=3)
    region = models.CharField(_("région"), max_length=3)
    population_municipale = models.PositiveIntegerField(
        _("population municipale"), null=True, blank=True, help_text=_("Population légale INSEE.")
    )
    population_totale = models.PositiveIntegerField(
        _("population totale"),
        null=True,
        blank=True,
        help_text=_("Selon le fichier DGCL des EPCI."),
    )
    population_municipale_dgcl = models.PositiveIntegerField(
        _("population municipale (DGCL)"),
        null=True,
        blank=True,
        help_text=_("Selon le fichier DGCL des EPCI, même millésime que la population totale."),
    )
    epci = models.ForeignKey(
        Epci,
        verbose_name=_("EPCI"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["insee_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class DatasetVersion(models.Model):
    vintage = models.CharField(_("millésime"), max_length=50)
    source = models.CharField(_("source"), max_length=200)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now_add=True)
    commune_count = models.PositiveIntegerField(_("nombre de communes"))
    epci_count = models.PositiveIntegerField(_("nombre d'EPCI"))

    class Meta:
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")
        ordering = ["-loaded_at", "-pk"]
        get_latest_by = ["loaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.vintage} — {self.source}"
