"""The inventory workbook: a pre-filled Excel template out, an all-or-nothing import in.

Sheets: Instructions, Paramètres (campaign metadata), Services, Personnel, Charges,
Equipements, Contrats, Listes (the code lists behind the drop-downs). On every data sheet
row 1 is a title, row 2 the column headers and the data start on row 3. The parser
collects every problem (sheet, row, column, message in French) before anything is stored;
`services.import_workbook` applies a clean parse in one transaction.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mutualis.engine.errors import EngineError
from mutualis.engine.money import D, to_cents
from mutualis.inventory.catalogue import CHAPTERS, UNITS
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
)
from mutualis.territories.models import Domain, Member

MAX_UPLOAD_BYTES: int = getattr(settings, "INVENTORY_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
SAMPLE_BANNER = "Données fictives de démonstration"
HEADER_ROW = 2
FIRST_DATA_ROW = 3
VALIDATION_ROWS = 2000
META_SHEET = "Paramètres"
LISTS_SHEET = "Listes"
YES, NO = "oui", "non"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an uploaded file; row is the Excel row number."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row:
            where.append(_("ligne %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("colonne « %(column)s »") % {"column": self.column})
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]} : {self.message}" if prefix else self.message


class CellError(ValueError):
    pass


# --- column types -------------------------------------------------------------------------


def _text(value: Any, max_length: int = 250) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise CellError(
            _("%(count)s caractères au plus (%(len)s reçus).")
            % {"count": max_length, "len": len(text)}
        )
    return text


def _decimal(value: Any, places: int = 2, maximum: Decimal | None = None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime | date):
        raise CellError(_("un nombre est attendu."))
    try:
        number = D(value)
    except EngineError as exc:
        raise CellError(_("« %(value)s » n'est pas un nombre.") % {"value": value}) from exc
    if number < 0:
        raise CellError(_("le nombre ne peut pas être négatif (%(value)s).") % {"value": value})
    if maximum is not None and number > maximum:
        raise CellError(_("la valeur dépasse %(max)s.") % {"max": maximum})
    if places == 2:
        return to_cents(number)
    return number.quantize(Decimal(1).scaleb(-places))


def _integer(value: Any, low: int, high: int) -> int | None:
    number = _decimal(value, places=6)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("un nombre entier est attendu (%(value)s).") % {"value": value})
    if not low <= int(number) <= high:
        raise CellError(
            _("la valeur doit être comprise entre %(low)s et %(high)s.")
            % {"low": low, "high": high}
        )
    return int(number)


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("« %(value)s » n'est pas une date (JJ/MM/AAAA).") % {"value": text})


def _choice(choices: Mapping[str, str]) -> Callable[[Any], str]:
    by_label = {str(label).strip().lower(): code for code, label in choices.items()}
    by_code = {code.lower(): code for code in choices}

    def parse(value: Any) -> str:
        text = _text(value).lower()
        if not text:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value).removesuffix(".0").lower()
        found = by_code.get(text) or by_label.get(text)
        if found is None:
            raise CellError(
                _("« %(value)s » n'est pas une valeur autorisée (voir la feuille Listes).")
                % {"value": value}
            )
        return found

    return parse


def _boolean(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"oui", "o", "vrai", "1", "x"}:
        return True
    if text in {"non", "n", "faux", "0"}:
        return False
    raise CellError(_("répondez « oui » ou « non »."))


MODES = dict(ServiceRecord.Mode.choices)
CATEGORIES = dict(StaffLine.Category.choices)
ASSET_KINDS = dict(Asset.Kind.choices)
CONTRACT_KINDS = dict(Contract.Kind.choices)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[Any], Any] | None  # None: informative column, not read back
    required: bool = False
    width: int = 16
    list_name: str = ""  # drop-down from the Listes sheet
    number_format: str = ""


def _code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value, 40)


def _money(value: Any) -> Decimal | None:
    return _decimal(value, 2)


SHEETS: dict[str, tuple[Column, ...]] = {
    "Services": (
        Column("member", "Code membre", _code, True, 13, "members"),
        Column("member_name", "Membre", None, width=28),
        Column("domain", "Code domaine", _code, True, 20, "domains"),
        Column("mode", "Mode de gestion", _choice(MODES), False, 16, "modes"),
        Column("activity_volume", "Volume d'activité", _money, number_format="#,##0.00"),
        Column("activity_unit", "Unité", _choice(UNITS), False, 16, "units"),
        Column("satisfaction", "Satisfaction (1 à 5)", lambda v: _integer(v, 1, 5), width=12),
        Column("needs", "Besoins", lambda v: _text(v, 4000), width=40),
        Column("difficulties", "Difficultés", lambda v: _text(v, 4000), width=40),
    ),
    "Personnel": (
        Column("member", "Code membre", _code, True, 13, "members"),
        Column("member_name", "Membre", None, width=28),
        Column("domain", "Code domaine", _code, True, 20, "domains"),
        Column("category", "Catégorie", _choice(CATEGORIES), True, 14, "categories"),
        Column(
            "fte",
            "ETP",
            lambda v: _decimal(v, 2, Decimal("9999")),
            True,
            10,
            number_format="0.00",
        ),
        Column("cost_amount", "Coût annuel chargé (€)", _money, True, 18, number_format="#,##0.00"),
    ),
    "Charges": (
        Column("member", "Code membre", _code, True, 13, "members"),
        Column("member_name", "Membre", None, width=28),
        Column("domain", "Code domaine", _code, True, 20, "domains"),
        Column("chapter", "Chapitre M57", _choice(CHAPTERS), True, 12, "chapters"),
        Column("amount", "Montant (€)", _money, True, 16, number_format="#,##0.00"),
    ),
    "Equipements": (
        Column("member", "Code membre", _code, True, 13, "members"),
        Column("member_name", "Membre", None, width=28),
        Column("name", "Désignation", lambda v: _text(v, 150), True, 30),
        Column("kind", "Type", _choice(ASSET_KINDS), True, 14, "asset_kinds"),
        Column("domain", "Code domaine", _code, False, 20, "domains"),
        Column("address", "Adresse", lambda v: _text(v, 250), width=30),
        Column("latitude", "Latitude", lambda v: _signed(v, 90), width=11),
        Column("longitude", "Longitude", lambda v: _signed(v, 180), width=11),
        Column("capacity", "Capacité", lambda v: _integer(v, 0, 10_000_000), width=10),
        Column("acquisition_year", "Année d'acquisition", lambda v: _integer(v, 1800, 2100)),
        Column(
            "acquisition_cost_amount",
            "Coût d'acquisition (€)",
            _money,
            number_format="#,##0.00",
        ),
        Column("subsidies_amount", "Subventions (€)", _money, number_format="#,##0.00"),
        Column("useful_life_years", "Durée d'utilisation (ans)", lambda v: _integer(v, 1, 100)),
        Column(
            "running_cost_amount",
            "Fonctionnement annuel (€)",
            _money,
            number_format="#,##0.00",
        ),
        Column(
            "utilisation_rate",
            "Taux d'utilisation (%)",
            lambda v: _decimal(v, 2, Decimal(100)),
            width=12,
        ),
        Column("shareable", "Mutualisable", _boolean, False, 12, "yes_no"),
    ),
    "Contrats": (
        Column("member", "Code membre", _code, True, 13, "members"),
        Column("member_name", "Membre", None, width=28),
        Column("vendor", "Fournisseur", lambda v: _text(v, 150), True, 24),
        Column("product", "Produit ou objet", lambda v: _text(v, 150), True, 28),
        Column("kind", "Type", _choice(CONTRACT_KINDS), True, 16, "contract_kinds"),
        Column("domain", "Code domaine", _code, False, 20, "domains"),
        Column("yearly_cost_amount", "Coût annuel (€)", _money, True, number_format="#,##0.00"),
        Column("start_on", "Début", _date, True, 12, number_format="DD/MM/YYYY"),
        Column("end_on", "Fin", _date, False, 12, number_format="DD/MM/YYYY"),
        Column("notice_period_months", "Préavis (mois)", lambda v: _integer(v, 0, 60), width=10),
    ),
}


def _signed(value: Any, bound: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = D(value)
    except EngineError as exc:
        raise CellError(_("« %(value)s » n'est pas un nombre.") % {"value": value}) from exc
    if not -bound <= number <= bound:
        raise CellError(_("la valeur doit être comprise entre −%(b)s et %(b)s.") % {"b": bound})
    return number.quantize(Decimal("0.000001"))


SHEET_TITLES = {
    "Services": "Une ligne par membre et par domaine : mode de gestion, activité, besoins.",
    "Personnel": "Agents par catégorie, en équivalents temps plein : jamais de noms.",
    "Charges": "Charges de fonctionnement par chapitre M57, hors personnel de la feuille "
    "Personnel.",
    "Equipements": "Équipements, bâtiments et véhicules, une ligne par bien.",
    "Contrats": "Contrats, logiciels et abonnements, une ligne par contrat.",
}


# --- export ---------------------------------------------------------------------------------


def _lists(campaign: Campaign, members: list[Member], domains: list[Domain]) -> dict[str, list]:
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


def _style_header(ws: Worksheet, columns: Iterable[Column]) -> None:
    fill = PatternFill("solid", fgColor="DCE3EE")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)


def _title(ws: Worksheet, text: str, is_sample: bool) -> None:
    if is_sample:
        text = f"{SAMPLE_BANNER.upper()} — {text}"
    cell = ws.cell(row=1, column=1, value=text)
    cell.font = Font(bold=True, color="A3201D" if is_sample else "1F4E8C")


def _rows_for(
    campaign: Campaign, members: list[Member], domains: list[Domain]
) -> dict[str, list[dict[str, Any]]]:
    member_ids = [m.pk for m in members]
    by_member = {m.pk: m for m in members}
    services = {
        (s.member_id, s.domain_id): s
        for s in ServiceRecord.objects.filter(campaign=campaign, member_id__in=member_ids)
    }
    all_domain_codes = dict(
        Domain.objects.filter(pooling_body_id=campaign.pooling_body_id).values_list("pk", "code")
    )
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
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
                    for c in SHEETS["Equipements"]
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
                    for c in SHEETS["Contrats"]
                    if c.key not in {"member", "member_name", "domain"}
                },
            }
        )
    return rows


def export_workbook(campaign: Campaign, member_ids: frozenset[int] | None = None) -> bytes:
    """The template pre-filled with the campaign's members, domains and answers."""
    from mutualis.inventory.services import campaign_domains, campaign_members

    members = list(campaign_members(campaign))
    if member_ids is not None:
        members = [m for m in members if m.pk in member_ids]
    domains = list(campaign_domains(campaign))
    body = campaign.pooling_body
    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    _title(info, f"État des lieux {campaign.year} — {body.name}", campaign.is_sample)
    if campaign.is_sample:
        info.cell(row=2, column=1, value=SAMPLE_BANNER).font = Font(bold=True, color="A3201D")
    for offset, line in enumerate(INSTRUCTIONS, start=3):
        info.cell(row=offset, column=1, value=line)
    info.column_dimensions["A"].width = 110

    meta = wb.create_sheet(META_SHEET)
    _title(meta, "Paramètres de la campagne (ne pas modifier)", campaign.is_sample)
    for offset, (key, value) in enumerate(
        (
            ("Structure porteuse", body.name),
            ("SIREN", body.siren),
            ("Année de référence", campaign.year),
            ("Date limite", campaign.deadline.strftime("%d/%m/%Y") if campaign.deadline else ""),
            ("Membres couverts", len(members)),
            ("Généré le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
            ("Données fictives", YES if campaign.is_sample else NO),
        ),
        start=HEADER_ROW,
    ):
        meta.cell(row=offset, column=1, value=key).font = Font(bold=True)
        meta.cell(row=offset, column=2, value=value)
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 50

    lists = _lists(campaign, members, domains)
    list_ranges: dict[str, str] = {}
    lists_ws = wb.create_sheet(LISTS_SHEET)
    _title(lists_ws, "Codes autorisés dans les listes déroulantes", campaign.is_sample)
    for index, (name, values) in enumerate(lists.items()):
        code_col = index * 3 + 1
        letter = get_column_letter(code_col)
        lists_ws.cell(row=HEADER_ROW, column=code_col, value=LIST_TITLES[name]).font = Font(
            bold=True
        )
        lists_ws.cell(row=HEADER_ROW, column=code_col + 1, value="Libellé").font = Font(bold=True)
        for offset, (code, label) in enumerate(values, start=FIRST_DATA_ROW):
            lists_ws.cell(row=offset, column=code_col, value=code)
            lists_ws.cell(row=offset, column=code_col + 1, value=str(label))
        last = FIRST_DATA_ROW + max(len(values), 1) - 1
        list_ranges[name] = f"'{LISTS_SHEET}'!${letter}${FIRST_DATA_ROW}:${letter}${last}"
        lists_ws.column_dimensions[letter].width = 16
        lists_ws.column_dimensions[get_column_letter(code_col + 1)].width = 40

    rows = _rows_for(campaign, members, domains)
    for position, (sheet, columns) in enumerate(SHEETS.items(), start=2):
        ws = wb.create_sheet(sheet, index=position)
        _title(ws, SHEET_TITLES[sheet], campaign.is_sample)
        _style_header(ws, columns)
        for offset, row in enumerate(rows[sheet], start=FIRST_DATA_ROW):
            for index, column in enumerate(columns, start=1):
                value = row.get(column.key)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=offset, column=index, value=value)
                if column.number_format:
                    cell.number_format = column.number_format
        for index, column in enumerate(columns, start=1):
            if not column.list_name:
                continue
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1=list_ranges[column.list_name],
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="Valeur non autorisée",
                error="Choisissez une valeur de la liste (feuille Listes).",
            )
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(validation)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    sheet: str
    row: int
    member_id: int
    domain_id: int | None
    values: dict[str, Any]


@dataclass
class ParsedWorkbook:
    problems: list[Problem] = field(default_factory=list)
    services: list[ParsedRow] = field(default_factory=list)
    staff: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    costs: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    assets: list[ParsedRow] = field(default_factory=list)
    contracts: list[ParsedRow] = field(default_factory=list)
    covered_member_ids: set[int] = field(default_factory=set)
    row_counts: dict[str, int] = field(default_factory=dict)
    siren: str = ""
    year: int | None = None


def size_problem(size: int) -> Problem | None:
    """The refusal of a file over MAX_UPLOAD_BYTES, checked before reading it."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    limit = MAX_UPLOAD_BYTES / (1024 * 1024)
    return Problem(
        "",
        None,
        "",
        _("Le fichier dépasse la taille maximale de %(limit)s Mo.")
        % {"limit": f"{limit:.3g}".replace(".", ",")},
    )


def _open(data: bytes, file_name: str) -> tuple[Any, list[Problem]]:
    if (too_large := size_problem(len(data))) is not None:
        return None, [too_large]
    not_xlsx = Problem(
        "",
        None,
        "",
        _("« %(name)s » n'est pas un classeur Excel au format .xlsx.") % {"name": file_name},
    )
    if not file_name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        return None, [not_xlsx]
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True), []
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None, [not_xlsx]


def read_campaign_key(data: bytes, file_name: str) -> tuple[str, int | None, list[Problem]]:
    """The pooling body's SIREN and the reference year written in the Paramètres sheet."""
    wb, problems = _open(data, file_name)
    if wb is None:
        return "", None, problems
    try:
        return (*_read_meta(wb), [])
    finally:
        wb.close()


def _read_meta(wb: Any) -> tuple[str, int | None]:
    if META_SHEET not in wb.sheetnames:
        return "", None
    values = {
        str(row[0]).strip(): row[1]
        for row in wb[META_SHEET].iter_rows(min_row=HEADER_ROW, max_col=2, values_only=True)
        if row and row[0]
    }
    siren = str(values.get("SIREN") or "").strip()
    try:
        year = int(values.get("Année de référence") or 0) or None
    except (TypeError, ValueError):
        year = None
    return siren, year


def parse_workbook(
    campaign: Campaign,
    data: bytes,
    *,
    file_name: str,
    member_ids: frozenset[int] | None = None,
) -> ParsedWorkbook:
    """Read every sheet and collect every problem; nothing touches the database."""
    result = ParsedWorkbook()
    wb, problems = _open(data, file_name)
    if wb is None:
        result.problems = problems
        return result
    try:
        _parse(campaign, wb, member_ids, result)
    finally:
        wb.close()
    return result


def _parse(
    campaign: Campaign, wb: Any, member_ids: frozenset[int] | None, result: ParsedWorkbook
) -> None:
    from mutualis.inventory.services import campaign_domains, campaign_members

    problems = result.problems
    result.siren, result.year = _read_meta(wb)
    body = campaign.pooling_body
    if result.year is not None and result.year != campaign.year:
        problems.append(
            Problem(
                META_SHEET,
                None,
                "Année de référence",
                _("ce classeur concerne l'année %(file)s, pas la campagne %(year)s.")
                % {"file": result.year, "year": campaign.year},
            )
        )
    if result.siren and body.siren and result.siren != body.siren:
        problems.append(
            Problem(
                META_SHEET,
                None,
                "SIREN",
                _("ce classeur concerne le SIREN %(file)s, pas %(name)s (%(siren)s).")
                % {"file": result.siren, "name": body.name, "siren": body.siren},
            )
        )
    members = {m.code: m for m in campaign_members(campaign)}
    domains = {d.code: d for d in campaign_domains(campaign)}
    service_keys: dict[tuple[int, int], int] = {}
    line_rows: list[tuple[str, int, int, int, dict[str, Any]]] = []
    for sheet, columns in SHEETS.items():
        if sheet not in wb.sheetnames:
            problems.append(
                Problem(
                    sheet, None, "", _("la feuille « %(sheet)s » est absente.") % {"sheet": sheet}
                )
            )
            continue
        rows = wb[sheet].iter_rows(min_row=HEADER_ROW, values_only=True)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        positions = {h: i for i, h in enumerate(headers) if h}
        expected = {c.header for c in columns}
        missing = [c.header for c in columns if c.header not in positions and c.parse]
        unknown = [h for h in positions if h not in expected]
        for header in missing:
            problems.append(Problem(sheet, HEADER_ROW, header, _("colonne obligatoire absente.")))
        for header in unknown:
            problems.append(Problem(sheet, HEADER_ROW, header, _("colonne inconnue.")))
        if missing:
            continue
        seen: dict[tuple[Any, ...], int] = {}
        count = 0
        for number, raw in enumerate(rows, start=FIRST_DATA_ROW):
            cells = {
                c.key: raw[positions[c.header]]
                if positions.get(c.header, 99999) < len(raw)
                else None
                for c in columns
                if c.parse
            }
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            values: dict[str, Any] = {}
            row_problems: list[Problem] = []
            for column in columns:
                if not column.parse:
                    continue
                raw_value = cells[column.key]
                try:
                    value = column.parse(raw_value)
                except CellError as exc:
                    row_problems.append(Problem(sheet, number, column.header, str(exc)))
                    continue
                if isinstance(value, str):
                    value = value.strip()
                values[column.key] = value
                if column.required and (value is None or value == ""):
                    row_problems.append(
                        Problem(sheet, number, column.header, _("valeur obligatoire."))
                    )
            member = members.get(values.get("member") or "")
            if values.get("member") and member is None:
                row_problems.append(
                    Problem(
                        sheet,
                        number,
                        "Code membre",
                        _("« %(code)s » n'est pas un membre de %(body)s.")
                        % {"code": values["member"], "body": body.name},
                    )
                )
            if member is not None and member_ids is not None and member.pk not in member_ids:
                row_problems.append(
                    Problem(
                        sheet,
                        number,
                        "Code membre",
                        _(
                            "cette ligne concerne %(member)s : vous ne pouvez importer que "
                            "les données de votre commune."
                        )
                        % {"member": member.name},
                    )
                )
            domain = domains.get(values.get("domain") or "")
            if values.get("domain") and domain is None:
                row_problems.append(
                    Problem(
                        sheet,
                        number,
                        "Code domaine",
                        _("« %(code)s » n'est pas un domaine de la campagne.")
                        % {"code": values["domain"]},
                    )
                )
            if sheet == "Services" and "mode" in values and not values["mode"]:
                answered = any(
                    values.get(k) not in (None, "")
                    for k in (
                        "activity_volume",
                        "activity_unit",
                        "satisfaction",
                        "needs",
                        "difficulties",
                    )
                )
                if not answered:
                    problems.extend(row_problems)
                    if member is not None:  # an unanswered template row still covers its member
                        result.covered_member_ids.add(member.pk)
                    continue
                row_problems.append(
                    Problem(sheet, number, "Mode de gestion", _("valeur obligatoire."))
                )
            if sheet == "Services" and member is not None and domain is not None:
                service_keys[(member.pk, domain.pk)] = number
            row_problems += _check_row(sheet, number, values)
            count += 1
            if member is not None:
                result.covered_member_ids.add(member.pk)
            key = _natural_key(sheet, values, member, domain)
            if key is not None:
                if key in seen:
                    row_problems.append(
                        Problem(
                            sheet,
                            number,
                            "",
                            _("doublon de la ligne %(row)s.") % {"row": seen[key]},
                        )
                    )
                else:
                    seen[key] = number
            if row_problems:
                problems.extend(row_problems)
                continue
            if member is None:  # reported above
                continue
            _store(sheet, number, values, member, domain, result, service_keys, line_rows)
        result.row_counts[sheet] = count
    for sheet, number, member_id, domain_id, _values in line_rows:
        if (member_id, domain_id) not in service_keys:
            problems.append(
                Problem(
                    sheet,
                    number,
                    "Code domaine",
                    _(
                        "aucune ligne de la feuille Services ne décrit ce domaine pour ce "
                        "membre ; ajoutez-la."
                    ),
                )
            )


def _natural_key(
    sheet: str, values: dict[str, Any], member: Member | None, domain: Domain | None
) -> tuple[Any, ...] | None:
    if member is None:
        return None
    if sheet == "Services":
        return (member.pk, domain.pk) if domain else None
    if sheet == "Personnel":
        return (member.pk, domain.pk, values.get("category")) if domain else None
    if sheet == "Charges":
        return (member.pk, domain.pk, values.get("chapter")) if domain else None
    if sheet == "Equipements":
        return (member.pk, (values.get("name") or "").lower())
    return (member.pk, (values.get("vendor") or "").lower(), (values.get("product") or "").lower())


def _check_row(sheet: str, number: int, values: dict[str, Any]) -> list[Problem]:
    problems = []
    if sheet == "Contrats":
        start, end = values.get("start_on"), values.get("end_on")
        if start and end and end < start:
            problems.append(
                Problem(sheet, number, "Fin", _("la date de fin précède la date de début."))
            )
    if sheet == "Equipements":
        cost, subsidies = values.get("acquisition_cost_amount"), values.get("subsidies_amount")
        if cost is not None and subsidies is not None and subsidies > cost:
            problems.append(
                Problem(
                    sheet,
                    number,
                    "Subventions (€)",
                    _("les subventions dépassent le coût d'acquisition."),
                )
            )
    has_volume = values.get("activity_volume") is not None
    if sheet == "Services" and has_volume and not values.get("activity_unit"):
        problems.append(
            Problem(sheet, number, "Unité", _("précisez l'unité du volume d'activité."))
        )
    return problems


def _store(
    sheet: str,
    number: int,
    values: dict[str, Any],
    member: Member,
    domain: Domain | None,
    result: ParsedWorkbook,
    service_keys: dict[tuple[int, int], int],
    line_rows: list[tuple[str, int, int, int, dict[str, Any]]],
) -> None:
    domain_id = domain.pk if domain else None
    fields = {k: v for k, v in values.items() if k not in {"member", "domain"}}
    if sheet == "Services":
        if domain_id is None:
            return
        result.services.append(ParsedRow(sheet, number, member.pk, domain_id, fields))
    elif sheet in {"Personnel", "Charges"}:
        if domain_id is None:
            return
        target = result.staff if sheet == "Personnel" else result.costs
        target.setdefault((member.pk, domain_id), []).append(fields)
        line_rows.append((sheet, number, member.pk, domain_id, fields))
    else:
        fields["domain_id"] = domain_id
        if sheet == "Equipements":
            fields["subsidies_amount"] = fields.get("subsidies_amount") or Decimal("0.00")
            fields["running_cost_amount"] = fields.get("running_cost_amount") or Decimal("0.00")
            fields["shareable"] = bool(fields.get("shareable"))
            fields["address"] = fields.get("address") or ""
            target_list = result.assets
        else:
            target_list = result.contracts
        result_row = ParsedRow(sheet, number, member.pk, domain_id, fields)
        target_list.append(result_row)
