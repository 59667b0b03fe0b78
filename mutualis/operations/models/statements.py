"""Statements and their lines; an issued statement is frozen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mutualis.fields import MONEY
from mutualis.operations.models.shared import YEAR, SharedService


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
