"""The results workbook (openpyxl): every figure of the report document, one sheet per
table, amounts as numbers with a euro format. The one module of this app that writes
spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '#,##0.00 "€"'
BANNER = Font(bold=True, color="A3201D", size=12)


def _number(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) and value else value


def _sheet(
    wb: Workbook,
    title: str,
    doc: Mapping[str, Any],
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    money: Sequence[int] = (),
) -> None:
    ws = wb.create_sheet(title)
    heading = f"{title} — {doc['scenario']['name']} ({doc['scenario']['pooling_body']['name']})"
    if doc["scenario"]["is_sample"]:
        ws.cell(
            row=1, column=1, value="DONNÉES FICTIVES DE DÉMONSTRATION — " + heading
        ).font = BANNER
    else:
        ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=12)
    for col, name in enumerate(header, start=1):
        ws.cell(row=3, column=col, value=name).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = max(14, min(len(name) + 2, 40))
    for r, values in enumerate(rows, start=4):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=_number(value) if col - 1 in money else value)
            if col - 1 in money:
                cell.number_format = MONEY_FORMAT
    ws.freeze_panes = "B4"


def results_workbook(doc: Mapping[str, Any]) -> bytes:
    """Every figure of a scenario's report document as an Excel workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    t = doc["totals"]
    _sheet(
        wb,
        "Synthèse",
        doc,
        ["Indicateur", "Valeur"],
        [
            ["Coût avant mutualisation", Decimal(t["cost_before"])],
            ["Coût après mutualisation", Decimal(t["cost_after"])],
            ["Économie annuelle", Decimal(t["saving"])],
            ["Valeur actuelle nette", Decimal(doc["net_present_value"])],
            ["Année de retour sur investissement", doc["payback_year"] or "non atteinte"],
            ["ETP aujourd'hui", Decimal(t["fte_today"])],
            ["ETP nécessaires", Decimal(t["fte_needed"])],
            ["Méthode retenue", doc["scenario"]["method_title"]],
            ["Stabilité", (doc["core_test"] or {}).get("verdict", "—")],
            ["Version du moteur de calcul", doc["engine_version"]],
        ],
    )
    methods = [a for a in doc["allocations"] if a["available"]]
    _sheet(
        wb,
        "Répartition",
        doc,
        ["Commune", "Code INSEE", "Charge", "Coût aujourd'hui"]
        + [a["title"] for a in methods]
        + ["Économie (méthode retenue)"],
        [
            [m["name"], m["insee_code"], m["workload"], m["cost_before"]]
            + [m["allocations"].get(a["method"]) for a in methods]
            + [m["saving"]]
            for m in doc["members"]
        ],
        money=[3, *range(4, 5 + len(methods))],
    )
    _sheet(
        wb,
        "Stabilité",
        doc,
        ["Méthode", "Dans le cœur", "Rationalité individuelle", "Verdict"],
        [
            [a["title"], a["core"]["in_core"], a["individually_rational"], a["core"]["verdict"]]
            if a["available"]
            else [a["title"], None, None, a["error"]]
            for a in doc["allocations"]
        ],
    )
    _sheet(
        wb,
        "Projection",
        doc,
        ["Année", "Avant", "Après", "Coûts ponctuels", "Économie", "Cumul"],
        [
            [
                r["year"],
                r["before"],
                r["after"],
                r["one_off"],
                r["savings"],
                r["cumulative_savings"],
            ]
            for r in doc["projection"]["rows"]
        ],
        money=[1, 2, 3, 4, 5],
    )
    _sheet(
        wb, "Hypothèses", doc, ["Hypothèse ou valeur par défaut"], [[a] for a in doc["assumptions"]]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
