"""Writing the inventory workbook: the template pre-filled with the campaign's members,
domains and answers, with drop-down lists of the allowed codes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mutualis.inventory.catalogue import CHAPTERS, UNITS
from mutualis.inventory.models import Asset, Campaign, Contract, CostLine, ServiceRecord, StaffLine
from mutualis.inventory.queries import campaign_domains, campaign_members
from mutualis.inventory.workbook.columns import (
    ASSET_KINDS,
    ASSETS,
    CATEGORIES,
    CONTRACT_KINDS,
    CONTRACTS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LISTS_SHEET,
    META_SHEET,
    MODES,
    SAMPLE_BANNER,
    SHEETS,
)
from mutualis.sheets import NO, YES, header, list_validation, new_workbook, put, title, to_bytes
from mutualis.territories.models import Domain, Member

VALIDATION_ROWS = 2000


def _lists(
    campaign: Campaign, members: list[Member], domains: list[Domain]
) -> dict[str, list[Any]]:
    return {
        "members": [(m.code, m.name) for m in members],
        "domains": [(d.code, d.name) for d in domains],
        "modes": list(MODES.items()),
        "units": list(UNITS.items()),
        "categories": list(CATEGORIES.items()),
        "chapters": list(CHAPTERS.items()),
        "asset_kinds": list(ASSET_KINDS.items()),
        "contract_kinds": list(CONTRACT_KINDS.items()),
        "yes_no": [(YES, "Oui"), (NO, "Non")],
    }


LIST_TITLES = {
    "members": "Membres",
    "domains": "Domaines",
    "modes": "Modes de gestion",
    "units": "Unités d'activité",
    "categories": "Catégories d'agents",
    "chapters": "Chapitres M57",
    "asset_kinds": "Types de biens",
    "contract_kinds": "Types de contrats",
    "yes_no": "Oui / non",
}

INSTRUCTIONS = (
    "Ce classeur recueille l'état des lieux de la mutualisation.",
    "",
    "1. Ne renommez pas les feuilles et ne modifiez pas la ligne 2 (en-têtes de colonnes).",
    "2. Saisissez les données à partir de la ligne 3. Les listes déroulantes proposent les "
    "codes autorisés (détail dans la feuille Listes).",
    "3. Services : une ligne par membre et par domaine. Une ligne sans mode de gestion ni "
    "autre réponse est ignorée.",
    "4. Personnel : agents agrégés par catégorie (A, B, C, contractuels) en ETP avec le coût "
    "annuel chargé ; n'indiquez jamais de nom.",
    "5. Charges : montants annuels par chapitre M57, hors coût du personnel déjà déclaré.",
    "6. Les montants sont en euros, sans signe négatif ; les dates au format JJ/MM/AAAA.",
    "7. Le fichier fait foi pour chaque membre qui y figure : une ligne supprimée du fichier "
    "est supprimée de Mutualis à l'import. Les autres membres ne sont pas touchés.",
    "8. À l'import, toutes les erreurs sont listées (feuille, ligne, colonne) et rien n'est "
    "enregistré tant qu'il en reste une. Importer deux fois le même fichier ne change rien.",
)


def _rows_for(
    campaign: Campaign, members: list[Member], domains: list[Domain]
) -> dict[str, list[dict[str, Any]]]:
    member_ids = [m.pk for m in members]
    by_member = {m.pk: m for m in members}
    services = {
        (s.member_id, s.domain_id): s
        for s in ServiceRecord.objects.filter(campaign=campaign, member_id__in=member_ids)
    }
    all_domain_codes: dict[int | None, str] = dict(
        Domain.objects.filter(pooling_body_id=campaign.pooling_body_id).values_list("pk", "code")
    )
    rows: dict[str, list[dict[str, Any]]] = {sheet.name: [] for sheet in SHEETS}
    for member in members:
        for domain in domains:
            base = {"member": member.code, "member_name": member.name, "domain": domain.code}
            service = services.get((member.pk, domain.pk))
            if service is None:
                rows["Services"].append(base)
                continue
            rows["Services"].append(
                base
                | {
                    "mode": service.mode,
                    "activity_volume": service.activity_volume,
                    "activity_unit": service.activity_unit,
                    "satisfaction": service.satisfaction,
                    "needs": service.needs,
                    "difficulties": service.difficulties,
                }
            )
    staff = StaffLine.objects.filter(
        service__campaign=campaign, service__member_id__in=member_ids
    ).select_related("service")
    for line in sorted(staff, key=lambda s: (s.service.member_id, s.service.domain_id)):
        member = by_member[line.service.member_id]
        rows["Personnel"].append(
            {
                "member": member.code,
                "member_name": member.name,
                "domain": all_domain_codes[line.service.domain_id],
                "category": line.category,
                "fte": line.fte,
                "cost_amount": line.cost_amount,
            }
        )
    costs = CostLine.objects.filter(
        service__campaign=campaign, service__member_id__in=member_ids
    ).select_related("service")
    for cost in sorted(costs, key=lambda c: (c.service.member_id, c.service.domain_id)):
        member = by_member[cost.service.member_id]
        rows["Charges"].append(
            {
                "member": member.code,
                "member_name": member.name,
                "domain": all_domain_codes[cost.service.domain_id],
                "chapter": cost.chapter,
                "amount": cost.amount,
            }
        )
    for asset in Asset.objects.filter(campaign=campaign, member_id__in=member_ids):
        member = by_member[asset.member_id]
        rows["Equipements"].append(
            {
                "member": member.code,
                "member_name": member.name,
                "domain": all_domain_codes.get(asset.domain_id, ""),
                "shareable": YES if asset.shareable else NO,
                **{
                    c.key: getattr(asset, c.key)
                    for c in ASSETS.columns
                    if c.key not in {"member", "member_name", "domain", "shareable"}
                },
            }
        )
    for contract in Contract.objects.filter(campaign=campaign, member_id__in=member_ids):
        member = by_member[contract.member_id]
        rows["Contrats"].append(
            {
                "member": member.code,
                "member_name": member.name,
                "domain": all_domain_codes.get(contract.domain_id, ""),
                **{
                    c.key: getattr(contract, c.key)
                    for c in CONTRACTS.columns
                    if c.key not in {"member", "member_name", "domain"}
                },
            }
        )
    return rows


def _sheet_title(text: str, is_sample: bool) -> tuple[str, bool]:
    return (f"{SAMPLE_BANNER.upper()} — {text}" if is_sample else text), is_sample


def _instructions(wb: Any, campaign: Campaign) -> None:
    info = wb.create_sheet("Instructions")
    body = campaign.pooling_body
    text, warning = _sheet_title(
        f"État des lieux {campaign.year} — {body.name}", campaign.is_sample
    )
    title(info, text, warning=warning)
    if campaign.is_sample:
        title(info, SAMPLE_BANNER, warning=True, row=2)
    for offset, line in enumerate(INSTRUCTIONS, start=3):
        put(info, offset, 1, line)
    info.column_dimensions["A"].width = 110


def _meta(wb: Any, campaign: Campaign, member_count: int) -> None:
    meta = wb.create_sheet(META_SHEET)
    body = campaign.pooling_body
    text, warning = _sheet_title("Paramètres de la campagne (ne pas modifier)", campaign.is_sample)
    title(meta, text, warning=warning)
    entries = (
        ("Structure porteuse", body.name),
        ("SIREN", body.siren),
        ("Année de référence", campaign.year),
        ("Date limite", campaign.deadline.strftime("%d/%m/%Y") if campaign.deadline else ""),
        ("Membres couverts", member_count),
        ("Généré le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ("Données fictives", YES if campaign.is_sample else NO),
    )
    for offset, (key, value) in enumerate(entries, start=HEADER_ROW):
        put(meta, offset, 1, key).font = Font(bold=True)
        put(meta, offset, 2, value)
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 50


def _lists_sheet(wb: Any, campaign: Campaign, lists: dict[str, list[Any]]) -> dict[str, str]:
    """The Listes sheet; returns the cell range of each list, for the drop-downs."""
    ranges: dict[str, str] = {}
    sheet = wb.create_sheet(LISTS_SHEET)
    text, warning = _sheet_title("Codes autorisés dans les listes déroulantes", campaign.is_sample)
    title(sheet, text, warning=warning)
    for index, (name, values) in enumerate(lists.items()):
        code_col = index * 3 + 1
        letter = get_column_letter(code_col)
        put(sheet, HEADER_ROW, code_col, LIST_TITLES[name]).font = Font(bold=True)
        put(sheet, HEADER_ROW, code_col + 1, "Libellé").font = Font(bold=True)
        for offset, (code, label) in enumerate(values, start=FIRST_DATA_ROW):
            put(sheet, offset, code_col, code)
            put(sheet, offset, code_col + 1, str(label))
        last = FIRST_DATA_ROW + max(len(values), 1) - 1
        ranges[name] = f"'{LISTS_SHEET}'!${letter}${FIRST_DATA_ROW}:${letter}${last}"
        sheet.column_dimensions[letter].width = 16
        sheet.column_dimensions[get_column_letter(code_col + 1)].width = 40
    return ranges


def _data_sheets(
    wb: Any, campaign: Campaign, rows: dict[str, list[dict[str, Any]]], ranges: dict[str, str]
) -> None:
    for position, sheet in enumerate(SHEETS, start=2):
        ws = wb.create_sheet(sheet.name, index=position)
        text, warning = _sheet_title(sheet.title, campaign.is_sample)
        title(ws, text, warning=warning)
        header(ws, HEADER_ROW, [c.header for c in sheet.columns], [c.width for c in sheet.columns])
        for offset, row in enumerate(rows[sheet.name], start=FIRST_DATA_ROW):
            for index, column in enumerate(sheet.columns, start=1):
                value = row.get(column.name)
                if value is None or value == "":
                    continue
                put(ws, offset, index, value, column.number_format)
        for index, column in enumerate(sheet.columns, start=1):
            if column.list_name:
                letter = get_column_letter(index)
                list_validation(
                    ws,
                    ranges[column.list_name],
                    f"{letter}{FIRST_DATA_ROW}:{letter}{VALIDATION_ROWS}",
                    error="Choisissez une valeur de la liste (feuille Listes).",
                    allow_blank=not column.required,
                )


def export_workbook(campaign: Campaign, member_ids: frozenset[int] | None = None) -> bytes:
    """The template pre-filled with the campaign's members, domains and answers."""
    members = list(campaign_members(campaign))
    if member_ids is not None:
        members = [m for m in members if m.pk in member_ids]
    domains = list(campaign_domains(campaign))
    wb = new_workbook()
    _instructions(wb, campaign)
    _meta(wb, campaign, len(members))
    ranges = _lists_sheet(wb, campaign, _lists(campaign, members, domains))
    _data_sheets(wb, campaign, _rows_for(campaign, members, domains), ranges)
    return to_bytes(wb)
