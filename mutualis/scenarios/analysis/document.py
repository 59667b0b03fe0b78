"""The JSON document of a scenario's results (docs/scenarios.md): what a snapshot
stores and what every page and document renders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mutualis.engine import ENGINE_VERSION
from mutualis.engine.games import (
    SharingReport,
)
from mutualis.engine.money import ZERO, format_euros, to_cents
from mutualis.scenarios.analysis.costs import FTE
from mutualis.scenarios.analysis.inputs import FORMAT, CostModel, method_title
from mutualis.scenarios.analysis.results import MethodResult, ScenarioResult

# --- the JSON document -----------------------------------------------------------------


def _money(value: Decimal | float) -> str:
    return str(to_cents(value))


def _percent(part: Decimal, whole: Decimal) -> str | None:
    return None if not whole else str((part / whole * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _names(codes: Sequence[str], names: Mapping[str, str]) -> str:
    labels = [names.get(c, c) for c in codes]
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " et " + labels[-1]


def core_verdict(report: SharingReport, names: Mapping[str, str]) -> str:
    """The core test in plain French, naming the group that would do better alone."""
    core = report.core
    if core.violating_coalition is None:
        return (
            "Répartition stable : aucune commune ni aucun groupe de communes ne paierait moins "
            "en s'organisant seul."
        )
    group = core.violating_coalition
    who = "La commune" if len(group) == 1 else "Les communes"
    verb = "paierait" if len(group) == 1 else "paieraient"
    return (
        f"{who} {_names(group, names)} {verb} {format_euros(core.violation)} de moins en "
        "s'organisant seule" + ("" if len(group) == 1 else "s") + "."
    )


def _method_document(result: MethodResult, names: Mapping[str, str]) -> dict[str, Any]:
    if result.report is None:
        return {
            "method": result.method,
            "title": result.title,
            "available": False,
            "error": result.error,
        }
    report = result.report
    core = report.core
    return {
        "method": result.method,
        "title": result.title,
        "available": True,
        "total": str(report.total),
        "exact": report.exact,
        "individually_rational": report.individually_rational,
        "core": {
            "in_core": core.in_core,
            "violating_coalition": None
            if core.violating_coalition is None
            else list(core.violating_coalition),
            "violation": _money(core.violation),
            "method": core.method,
            "verdict": core_verdict(report, names),
        },
        "explanation": report.explanation.as_dict(),
    }


def game_document(result: ScenarioResult) -> dict[str, Any]:
    """The scenario's cost game in the input format of `mutualis games solve`.

    That format takes JSON numbers: the games engine computes in floats and turns its
    results into cents once (engine.money.to_cents).
    """
    model = result.inputs.cost_model
    pooled: dict[str, Any] = {
        "fixed": float(model.fixed_costs),
        "per_unit": float(model.cost_per_unit),
        "cost_per_etp": float(model.staff_cost_per_fte),
        "productivity": float(model.productivity),
        "step": float(model.staffing_step),
    }
    if model.manager_span is not None:
        pooled["manager_span"] = model.manager_span
    return {
        "players": [
            {
                "id": m.insee_code,
                "standalone": float(m.cost_before),
                "workload": m.workload,
                "own_cost": float(m.own_cost),
            }
            for m in result.members
        ],
        "pooled_cost": pooled,
    }


def _cost_model_document(model: CostModel) -> dict[str, Any]:
    return {
        "workload_unit": model.workload_unit,
        "productivity": float(model.productivity),
        "staff_category": model.staff_category,
        "cost_per_fte": {c: str(v) for c, v in sorted(model.cost_per_fte.items())},
        "fixed_costs": str(model.fixed_costs),
        "cost_per_unit": str(model.cost_per_unit),
        "transition_costs": str(model.transition_costs),
        "staff_indexation_rate": str(model.staff_indexation_rate),
        "other_indexation_rate": str(model.other_indexation_rate),
        "discount_rate": str(model.discount_rate),
        "staffing_step": str(model.staffing_step),
        "manager_span": model.manager_span,
    }


def report_document(result: ScenarioResult) -> dict[str, Any]:
    """The JSON document of the scenario's results (docs/scenarios.md)."""
    inputs = result.inputs
    names = {m.insee_code: m.name for m in result.members}
    chosen = result.chosen.report
    ac = (
        inputs.legal_form == "service_commun"
        and inputs.fiscalite_professionnelle_unique
        and chosen is not None
    )
    members = []
    for i, m in enumerate(result.members):
        allocations = {r.method: str(r.report.lines[i].amount) for r in result.methods if r.report}
        rational = {
            r.method: r.report.lines[i].individually_rational for r in result.methods if r.report
        }
        amount = chosen.lines[i].amount if chosen else None
        saving = m.cost_before - amount if amount is not None else None
        fte_needed = (
            (result.staff.fte_needed * m.workload / result.staff.workload).quantize(FTE)
            if result.staff.workload
            else ZERO
        )
        members.append(
            {
                "insee_code": m.insee_code,
                "name": m.name,
                "population": m.population,
                "workload": m.workload,
                "cost_before": str(m.cost_before),
                "own_cost": float(m.own_cost),
                "cost_after": None if amount is None else str(amount),
                "allocations": allocations,
                "saving": None if saving is None else str(saving),
                "saving_percent": None if saving is None else _percent(saving, m.cost_before),
                "individually_rational": None
                if chosen is None
                else chosen.lines[i].individually_rational,
                "rational": rational,
                "fte_today": {c: str(v) for c, v in sorted(m.fte_today.items())},
                "fte_needed": str(fte_needed),
                "assumptions": list(m.assumptions),
                "ac_deduction": None if not ac or amount is None else str(amount),
                "ac_monthly": None if not ac or amount is None else str(to_cents(amount / 12)),
                "explanation": m.explanation.as_dict(),
            }
        )
    projection = result.projection
    perimeter = result.perimeter
    methods = [_method_document(r, names) for r in result.methods]  # the chosen first
    return {
        "format": FORMAT,
        "engine_version": ENGINE_VERSION,
        "scenario": {
            "id": inputs.scenario_id,
            "name": inputs.name,
            "pooling_body": {"name": inputs.body_name, "siren": inputs.body_siren},
            "domain": {"code": inputs.domain_code, "name": inputs.domain_name},
            "legal_form": inputs.legal_form,
            "legal_form_label": inputs.legal_form_label,
            "members": [m.insee_code for m in inputs.members],
            "campaign_year": inputs.campaign_year,
            "start_year": inputs.start_year,
            "horizon_years": inputs.horizon_years,
            "method": inputs.method,
            "method_title": method_title(inputs.method),
            "status": inputs.status,
            "is_sample": inputs.is_sample,
        },
        "cost_model": _cost_model_document(inputs.cost_model),
        "defaults": dict(sorted(inputs.defaults.items())),
        "totals": {
            "cost_before": str(result.cost_before),
            "cost_after": str(result.cost_after),
            "saving": str(result.saving),
            "saving_percent": _percent(result.saving, result.cost_before),
            "workload": result.staff.workload,
            "fte_today": str(sum(result.staff.fte_today.values(), ZERO)),
            "fte_needed": str(result.staff.fte_needed),
            "staff_fte": str(result.staff.staff_fte),
            "managers": result.staff.managers,
        },
        "members": members,
        "allocations": methods,
        "core_test": methods[0].get("core"),
        "ac_charged": ac,
        "projection": {
            "base_year": projection.base_year,
            "rows": [
                {
                    "year": row.year,
                    "before": str(row.before),
                    "after": str(row.after),
                    "one_off": str(row.one_off),
                    "savings": str(row.savings),
                    "cumulative_savings": str(row.cumulative_savings),
                }
                for row in projection.rows
            ],
            "explanation": projection.explain().as_dict(),
        },
        "payback_year": projection.payback_year,
        "net_present_value": str(projection.net_present_value),
        "perimeter": None
        if perimeter is None
        else {
            "contributions": [
                {"insee_code": p, "name": names[p], "saving_added": str(v)}
                for p, v in perimeter.contributions
            ],
            "partitions": [
                partition.as_dict()
                | {
                    "groups": [
                        g.amounts() | {"names": [names[p] for p in g.members]}
                        for g in partition.groups
                    ]
                }
                for partition in perimeter.partitions
            ],
            "errors": list(perimeter.errors),
            "explanation": perimeter.explanation.as_dict(),
        },
        "assumptions": list(result.assumptions),
        "explanations": {
            "cost_after": result.cost_after_explanation.as_dict(),
            "staff": result.staff.explanation.as_dict(),
        },
        "game": game_document(result),
    }


def saving_text(saving: Decimal) -> str:
    """« économie de 1 234,00 € » or « surcoût de … »."""
    if saving >= 0:
        return f"économie de {format_euros(saving)}"
    return f"surcoût de {format_euros(-saving)}"
