"""Workbook imports: the log of applied imports and the previews waiting for confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualis.inventory.models.campaign import Campaign


class ImportLog(models.Model):
    """Who imported which workbook into a campaign, and what it changed."""

    # PROTECT: import logs are the audit trail of a campaign and are never cascade-deleted.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="imports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    members = models.ManyToManyField(
        "territories.Member", verbose_name=_("membres couverts"), related_name="+"
    )
    row_counts = models.JSONField(_("lignes par feuille"), default=dict)
    created_count = models.PositiveIntegerField(_("lignes créées"), default=0)
    updated_count = models.PositiveIntegerField(_("lignes modifiées"), default=0)
    deleted_count = models.PositiveIntegerField(_("lignes supprimées"), default=0)
    conflict_count = models.PositiveIntegerField(_("lignes en conflit laissées"), default=0)
    refused_count = models.PositiveIntegerField(_("lignes refusées (saisie transmise)"), default=0)
    overwrite = models.BooleanField(_("conflits écrasés"), default=False)
    changes = models.JSONField(
        _("changements ligne par ligne"),
        default=list,
        blank=True,
        help_text=_("Feuille, clé, action, identifiant, anciennes et nouvelles valeurs."),
    )
    created_submission_member_ids = models.JSONField(
        _("réponses créées (membres)"), default=list, blank=True
    )
    at = models.DateTimeField(_("importé le"), auto_now_add=True)
    undone_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import de classeur")
        verbose_name_plural = _("imports de classeurs")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.at:%d/%m/%Y %H:%M})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class PendingImport(models.Model):
    """An uploaded workbook waiting for its preview to be confirmed; expires."""

    token = models.CharField(_("jeton"), max_length=64, unique=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="pending_imports",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    data = models.BinaryField(_("contenu du classeur"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    # A large workbook is checked by a background job, which stores its preview here
    # (`imports.preview_data`); a small one is checked in the request (always True).
    checked = models.BooleanField(_("vérifié"), default=True)
    preview = models.JSONField(_("aperçu calculé en tâche de fond"), null=True, blank=True)

    class Meta:
        verbose_name = _("import en attente de confirmation")
        verbose_name_plural = _("imports en attente de confirmation")

    def __str__(self) -> str:
        return self.file_name
