"""Model field options shared by every app: money to the cent, non-negative amounts, and
the forms of pooling (codes of the engine's legal table, labels citing their article)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualis.engine import legal
from mutualis.engine.money import MONEY_DIGITS

MONEY = MONEY_DIGITS  # max_digits and decimal_places of every amount column
NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class LegalForm(models.TextChoices):
    """The forms of pooling, for scenarios and shared services (the articles: engine.legal)."""

    SERVICE_COMMUN = legal.SERVICE_COMMUN, _("Service commun (CGCT L.5211-4-2)")
    MAD_ASCENDANTE = (
        legal.MAD_ASCENDANTE,
        _("Mise à disposition ascendante (CGCT L.5211-4-1 II)"),
    )
    MAD_DESCENDANTE = (
        legal.MAD_DESCENDANTE,
        _("Mise à disposition descendante (CGCT L.5211-4-1 III)"),
    )
    PRESTATION = legal.PRESTATION, _("Prestation de services (CGCT L.5214-16-1 et suivants)")
    CONVENTION_COMMUNES = (
        legal.CONVENTION_COMMUNES,
        _("Convention entre communes (CGCT L.5111-1-1)"),
    )
    ENTENTE = legal.ENTENTE, _("Entente intercommunale (CGCT L.5221-1)")
    GROUPEMENT_COMMANDES = (
        legal.GROUPEMENT_COMMANDES,
        _("Groupement de commandes (CCP L.2113-6)"),
    )
    SYNDICAT_GIP = legal.SYNDICAT_GIP, _("Syndicat ou groupement d'intérêt public")
    BIENS_PARTAGES = legal.BIENS_PARTAGES, _("Biens partagés (CGCT L.5211-4-3)")
