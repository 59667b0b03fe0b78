"""A draft convention pre-filled from a scenario snapshot (the frozen report document).

The snapshot's `payload` is the JSON of `mutualis scenario report` (docs/scenarios.md):
its legal form, members, years, and each member's amount after pooling (`cost_after`).
Those amounts become the key weights and the charges their sum, so the annex gives each
member exactly the snapshot's amount, to the cent; under a D.5211-16 form the workload is
the forecast units instead. Under the FPU (`ac_charged`) the amounts go on the AC.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.conventions import services
from mutualis.conventions.legal_forms import LEGAL_FORMS, Method
from mutualis.conventions.models import Convention, StaffLine
from mutualis.conventions.rules import Problem
from mutualis.conventions.services import ConventionError, PartyInput, StaffInput
from mutualis.engine.money import ZERO, D
from mutualis.scenarios.models import ScenarioSnapshot


def _method(legal_form: str, payload: dict[str, Any]) -> str:
    form = LEGAL_FORMS[legal_form]
    if Method.UNIT_COST in form.methods and form.requires_units:
        return Method.UNIT_COST
    if payload.get("ac_charged") and Method.AC_DEDUCTION in form.methods:
        return Method.AC_DEDUCTION
    if Method.KEY in form.methods:
        return Method.KEY
    return Method.UNIT_COST if Method.UNIT_COST in form.methods else form.methods[0]


def draft_from_snapshot(snapshot: ScenarioSnapshot, *, is_sample: bool | None = None) -> Convention:
    payload = snapshot.payload
    scenario = payload.get("scenario", {})
    body = snapshot.scenario.pooling_body
    legal_form = scenario.get("legal_form", "")
    if legal_form not in LEGAL_FORMS:
        raise ConventionError(
            [
                Problem(
                    "legal_form",
                    _("La forme « %(form)s » du scénario n'a pas de modèle de convention.")
                    % {"form": scenario.get("legal_form_label") or legal_form},
                )
            ]
        )
    rows = payload.get("members", [])
    if any(row.get("cost_after") is None for row in rows):
        raise ConventionError(
            [Problem("members", _("Le scénario n'a pas de montant par membre : rien à reprendre."))]
        )
    members = {
        m.insee_code: m for m in body.members.filter(insee_code__in=[r["insee_code"] for r in rows])
    }
    missing = [r["name"] for r in rows if r["insee_code"] not in members]
    if missing:
        raise ConventionError(
            [
                Problem(
                    "members",
                    _("« %(names)s » n'est pas membre de la structure porteuse.")
                    % {"names": ", ".join(missing)},
                )
            ]
        )
    method = _method(legal_form, payload)
    total = sum((D(r["cost_after"]) for r in rows), ZERO)
    parties = [
        PartyInput(
            members[r["insee_code"]],
            forecast_units=D(r.get("workload") or 0),
            key_weight=D(r["cost_after"]),
        )
        for r in rows
    ]
    staff: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        for category, fte in (row.get("fte_today") or {}).items():
            if category in StaffLine.Category.values:
                staff[category] += D(fte)
    mode = (
        StaffLine.Mode.TRANSFER if legal_form == "service_commun" else StaffLine.Mode.MADE_AVAILABLE
    )
    start_year = int(scenario.get("start_year") or timezone.localdate().year)
    horizon = int(scenario.get("horizon_years") or 3)
    domain = (scenario.get("domain") or {}).get("name", "")
    terms = {
        "subject": _("Mise en commun du domaine « %(domain)s », d'après le scénario « %(name)s ».")
        % {"domain": domain, "name": scenario.get("name", "")},
        "start_on": date(start_year, 1, 1),
        "end_on": date(start_year + horizon - 1, 12, 31),
        "method": method,
        "periodicity_months": 12 if method == Method.UNIT_COST else 3,
        "unit_label": "unités de charge de travail" if method == Method.UNIT_COST else "",
        "charges_amount": total,
        "key_label": _("Répartition du scénario (%(method)s)")
        % {"method": scenario.get("method_title") or scenario.get("method", "")},
    }
    return services.draft_convention(
        body,
        title=scenario.get("name") or _("Convention issue d'un scénario"),
        legal_form=legal_form,
        terms=terms,
        parties=parties,
        staff=[StaffInput(c, mode, fte) for c, fte in sorted(staff.items()) if fte > 0],
        is_sample=bool(scenario.get("is_sample")) if is_sample is None else is_sample,
        snapshot_id=snapshot.pk,
    )
