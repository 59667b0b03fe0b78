"""A background job that builds a file for a pooling body, and the workers' heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.territories.models import PoolingBody


class Job(models.Model):
    """One requested export: queued, run by `mutualis worker`, then downloadable a while."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminée")
        FAILED = "failed", _("en échec")

    pooling_body = models.ForeignKey(
        PoolingBody,
        verbose_name=_("structure porteuse"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("type"), max_length=64)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    task_id = models.CharField(_("identifiant de tâche"), max_length=64, blank=True)
    result = models.FileField(_("fichier produit"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    content_type = models.CharField(_("type de contenu"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("tâche de fond")
        verbose_name_plural = _("tâches de fond")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["pooling_body", "kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="jobs_job_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED


class WorkerHeartbeat(models.Model):
    """The last sign of life of each `mutualis worker` process (read by /healthz)."""

    worker_id = models.CharField(_("identifiant du processus"), max_length=64, unique=True)
    hostname = models.CharField(_("machine"), max_length=255, blank=True)
    seen_at = models.DateTimeField(_("vu le"))

    class Meta:
        verbose_name = _("battement de processus de fond")
        verbose_name_plural = _("battements de processus de fond")

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}"


class DailyRun(models.Model):
    """One day's run of a daily task (e.g. the convention alerts), claimed by one worker."""

    name = models.CharField(_("tâche"), max_length=64)
    day = models.DateField(_("jour"))
    started_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("exécution quotidienne")
        verbose_name_plural = _("exécutions quotidiennes")
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="jobs_daily_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%d/%m/%Y}"
