"""Actual units per member and month: typed, imported or entered by the référent, all or nothing."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.engine.money import format_number
from mutualis.operations.models import (
    SharedService,
    UnitEntry,
)
from mutualis.operations.queries import (
    frozen_months,
    participations_in,
)
from mutualis.operations.services.errors import ImportRejected, OperationsError, Problem
from mutualis.territories.models import Member

# --- actual units ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    row: int
    member_code: str
    month: int
    units: Decimal


def check_unit_rows(
    service: SharedService,
    year: int,
    rows: Sequence[UnitRow],
    *,
    allowed: frozenset[int] | None = None,
) -> tuple[list[Problem], list[tuple[Member, int, Decimal]]]:
    """Every problem of the rows (same rules for typed, imported and référent input)."""
    members = {m.code: m for m in Member.objects.filter(pooling_body_id=service.pooling_body_id)}
    frozen = frozen_months(service, {m.pk for m in members.values()}, year)
    participations = list(participations_in(service, date(year, 1, 1), date(year, 12, 31)))
    problems: list[Problem] = []
    accepted: list[tuple[Member, int, Decimal]] = []
    seen: set[tuple[str, int]] = set()
    for row in rows:
        member = members.get(row.member_code)
        if member is None:
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("« %(c)s » n'est pas un membre de la structure.") % {"c": row.member_code},
                )
            )
            continue
        if allowed is not None and member.pk not in allowed:
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("Vous ne pouvez saisir que les unités de votre commune."),
                )
            )
            continue
        if not 1 <= row.month <= 12:
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _("Le mois doit être compris entre 1 et 12 (reçu : %(m)s).") % {"m": row.month},
                )
            )
            continue
        if row.units < 0:
            problems.append(
                Problem(
                    row.row,
                    _("unités"),
                    _("Les unités ne peuvent pas être négatives (%(u)s).")
                    % {"u": format_number(row.units)},
                )
            )
            continue
        first = date(year, row.month, 1)
        last = date(year, row.month, calendar.monthrange(year, row.month)[1])
        if not any(
            p.member_id == member.pk
            and p.start_on <= last
            and (p.end_on is None or p.end_on >= first)
            for p in participations
        ):
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("%(name)s ne participe pas au service en %(month)02d/%(year)s.")
                    % {"name": member.name, "month": row.month, "year": year},
                )
            )
            continue
        if row.month in frozen.get(member.pk, set()):
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _(
                        "La période %(month)02d/%(year)s de %(name)s est déjà facturée par "
                        "un état émis : établissez un état rectificatif."
                    )
                    % {"name": member.name, "month": row.month, "year": year},
                )
            )
            continue
        if (member.code, row.month) in seen:
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _("%(name)s apparaît deux fois pour le mois %(month)s.")
                    % {"name": member.name, "month": row.month},
                )
            )
            continue
        seen.add((member.code, row.month))
        accepted.append((member, row.month, row.units))
    return problems, accepted


@dataclass(frozen=True)
class UnitsResult:
    created: int
    updated: int
    preview: list[tuple[Member, int, Decimal]]


@transaction.atomic
def record_units(
    service: SharedService,
    year: int,
    rows: Sequence[UnitRow],
    *,
    origin: str,
    user: User | None = None,
    dry_run: bool = False,
    allowed: frozenset[int] | None = None,
    read_problems: Sequence[Problem] = (),
) -> UnitsResult:
    """Store actual units, all or nothing; `dry_run` only checks (the import preview).

    `read_problems` are those found while reading a file: they are reported together with
    the rows' own problems, so that one run lists every error."""
    if not service.uses_unit_cost and service.billing_mode != SharedService.BillingMode.KEY:
        raise OperationsError(_("Ce service est facturé au tarif du catalogue : pas d'unités."))
    problems, accepted = check_unit_rows(service, year, rows, allowed=allowed)
    problems = sorted([*read_problems, *problems], key=lambda p: p.row)
    if not rows and not read_problems:
        problems.append(Problem(0, _("fichier"), _("Aucune ligne d'unités.")))
    if problems:
        raise ImportRejected(problems)
    created = updated = 0
    if not dry_run:
        for member, month, units in accepted:
            _entry, was_created = UnitEntry.objects.update_or_create(
                service=service,
                member=member,
                year=year,
                month=month,
                defaults={"units": units, "origin": origin, "entered_by": user},
            )
            created += was_created
            updated += not was_created
    return UnitsResult(created, updated, accepted)
