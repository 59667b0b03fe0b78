"""The scenario's documents: the council pack (PDF), one-page sheets per commune (PDF)
and the results workbook (Excel), all built from the report document (docs/scenarios.md).

Each is a plain function of documents already computed; the council pack and the sheets
of every commune run as background jobs (`exports`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mutualis import pdf
from mutualis.engine.money import format_euros
from mutualis.scenarios import services, workbook
from mutualis.scenarios.models import Scenario

PDF_TYPE = "application/pdf"
XLSX_TYPE = workbook.XLSX_TYPE
FORMATS = ("json", "pdf", "xlsx")

METHOD_TEXTS = {
    "shapley": (
        "Valeur de Shapley : chaque commune paie en moyenne le coût qu'elle ajoute au service "
        "quand elle le rejoint, toutes les façons d'arriver étant également probables. Les "
        "économies de la mise en commun sont ainsi partagées selon l'apport de chacune."
    ),
    "nucleolus": (
        "Nucléole : parmi les répartitions où aucune commune ne paie plus que seule, celle qui "
        "rend le plus grand possible le gain du groupe le moins bien traité, puis du suivant. "
        "C'est la répartition la plus stable."
    ),
    "least-core": (
        "Moindre cœur : la répartition qui réduit au minimum ce que le groupe le plus "
        "désavantagé gagnerait à faire sécession."
    ),
    "scrb": (
        "Coûts séparables, bénéfices restants : chaque commune paie d'abord le coût que sa "
        "seule présence ajoute, puis le reste est partagé en proportion de ce que chacune "
        "économise par rapport à une organisation seule."
    ),
    "proportional": (
        "Au prorata du coût seul : chaque commune paie une part du coût commun égale à sa part "
        "dans le total des coûts actuels ; toutes économisent le même pourcentage."
    ),
    "equal-savings": (
        "Économies égales : chaque commune économise le même montant en euros par rapport à "
        "son coût actuel."
    ),
}
KEY_TEXT = (
    "Clé de répartition « {title} » : le coût commun est partagé en proportion de cette "
    "donnée de chaque commune, sans tenir compte de ce qu'elle paie aujourd'hui."
)


def method_text(method: str, title: str) -> str:
    return METHOD_TEXTS.get(method, KEY_TEXT.format(title=title))


def _readable(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with the plain-French method text (a copy: snapshots stay untouched)."""
    scenario = doc["scenario"]
    return {**doc, "method_text": method_text(scenario["method"], scenario["method_title"])}


def _pdf(html: str, on_progress: pdf.Progress | None, expected: int, what: str) -> bytes:
    """The PDF; `on_progress` follows the layout from 50 to 95 % (`expected` pages)."""
    if on_progress is None:
        return pdf.render(html)
    pages = pdf.page_progress(
        on_progress,
        expected,
        _("%(what)s : %(done)s pages mises en page sur %(expected)s."),
        start=50,
        end=95,
        names={"what": what},
    )
    return pdf.render(html, pages=pages)


def member_stability(doc: Mapping[str, Any], insee_code: str, name: str) -> str:
    """The core test of the chosen method as it concerns one commune, in plain French.

    The council pack names the whole group that would do better alone; a commune's sheet
    says whether the commune belongs to it, in one sentence.
    """
    core = doc.get("core_test")
    if not core:
        return ""
    group = core.get("violating_coalition") or []
    if not group:
        return str(core.get("verdict", ""))
    saving = format_euros(Decimal(core["violation"]))
    if group == [insee_code]:
        return (
            f"Test du cœur : {name} paierait {saving} de moins en assurant le service seule ; "
            "la répartition retenue n'est pas stable."
        )
    where = "dont" if insee_code in group else "sans"
    return (
        f"Test du cœur : la répartition retenue n'est pas stable : un groupe de {len(group)} "
        f"communes, {where} {name}, paierait {saving} de moins en s'organisant seul (le "
        "dossier du conseil le détaille)."
    )


def pack_pdf(
    docs: Sequence[Mapping[str, Any]],
    *,
    on: date,
    on_progress: pdf.Progress | None = None,
) -> bytes:
    """The council pack: one scenario, or a comparison of 2 to 4 followed by each one.

    `on_progress(percent, message)` follows the layout; the page count is an estimate.
    """
    readable = [_readable(d) for d in docs]
    title = " / ".join(d["scenario"]["name"] for d in docs)
    html = render_to_string(
        "scenarios/pack.html",
        {
            "docs": readable,
            "title": title,
            "body_name": docs[0]["scenario"]["pooling_body"]["name"],
            "on": on,
            "sample": any(d["scenario"]["is_sample"] for d in docs),
        },
    )
    # About 8 pages plus one per 12 communes for each scenario (tables and annex).
    expected = sum(8 + len(d["members"]) // 12 for d in docs)
    return _pdf(html, on_progress, expected, _("Dossier du conseil"))


def sheets_pdf(
    doc: Mapping[str, Any],
    insee_codes: Sequence[str] | None = None,
    *,
    on_progress: pdf.Progress | None = None,
) -> bytes:
    """One page per commune for its municipal council (all members, or those given).

    The sheets are one HTML document, one section per commune with a page break, so that
    WeasyPrint parses the style once; `on_progress(percent, message)` follows the layout.
    """
    readable = _readable(doc)
    members = [
        {**m, "stability": member_stability(doc, m["insee_code"], m["name"])}
        for m in doc["members"]
        if insee_codes is None or m["insee_code"] in insee_codes
    ]
    html = render_to_string(
        "scenarios/sheets.html",
        {"doc": readable, "members": members, "sample": doc["scenario"]["is_sample"]},
    )
    return _pdf(html, on_progress, len(members), _("Fiches communales"))


def write_report(scenario: Scenario, fmt: str, path: Path, *, on: date) -> dict[str, Any]:
    """Write the scenario's results as JSON, PDF (council pack) or Excel; returns the doc."""
    doc = services.current_report(scenario)
    if fmt == "json":
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    elif fmt == "pdf":
        path.write_bytes(pack_pdf([doc], on=on))
    else:
        path.write_bytes(workbook.results_workbook(doc))
    return doc
