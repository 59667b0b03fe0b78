"""Field options shared by the inventory models."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator

from mutualis.engine.money import MONEY_DIGITS

MONEY = MONEY_DIGITS
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
