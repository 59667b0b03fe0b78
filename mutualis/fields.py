"""Model field options shared by every app: money to the cent, non-negative amounts."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator

from mutualis.engine.money import MONEY_DIGITS

MONEY = MONEY_DIGITS  # max_digits and decimal_places of every amount column
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
