"""Reading a filled-in inventory workbook: every problem collected, nothing stored.

`parse_workbook` opens the file through `mutualis.sheets` (checked before parsing), reads
each sheet through its spec (`columns.SHEETS`), resolves members and domains, applies the
row rules and the natural keys, and returns a `ParsedWorkbook` that
`services.import_workbook` applies in one transaction when it holds no problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mutualis.inventory.models import Campaign
from mutualis.inventory.queries import campaign_domains, campaign_members
from mutualis.inventory.workbook.columns import (
    DEFAULTS,
    HEADER_ROW,
    META_SHEET,
    SERVICE_ANSWERS,
    SERVICES,
    SHEETS,
    InventorySheet,
)
from mutualis.sheets import Limits, Problem, Row, SheetsError, open_workbook, read_sheet
from mutualis.sheets import size_problem as sheets_size_problem
from mutualis.territories.models import Domain, Member

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def max_upload_bytes() -> int:
    """The upload limit, `INVENTORY_MAX_UPLOAD_BYTES` (5 Mo by default)."""
    return int(getattr(settings, "INVENTORY_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def limits() -> Limits:
    return Limits(max_file_bytes=max_upload_bytes())


def size_problem(size: int) -> Problem | None:
    """The refusal of a file over the upload limit, checked before reading it."""
    return sheets_size_problem(size, limits())


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
    staff: dict[tuple[int, int | None], list[dict[str, Any]]] = field(default_factory=dict)
    costs: dict[tuple[int, int | None], list[dict[str, Any]]] = field(default_factory=dict)
    assets: list[ParsedRow] = field(default_factory=list)
    contracts: list[ParsedRow] = field(default_factory=list)
    covered_member_ids: set[int] = field(default_factory=set)
    row_counts: dict[str, int] = field(default_factory=dict)
    siren: str = ""
    year: int | None = None


def read_campaign_key(data: bytes, file_name: str) -> tuple[str, int | None, list[Problem]]:
    """The pooling body's SIREN and the reference year written in the Paramètres sheet."""
    try:
        with open_workbook(data, file_name, limits()) as workbook:
            return (*_read_meta(workbook), [])
    except SheetsError as exc:
        return "", None, exc.problems


def _read_meta(workbook: Any) -> tuple[str, int | None]:
    if META_SHEET not in workbook.sheetnames:
        return "", None
    rows = workbook[META_SHEET].iter_rows(
        min_row=HEADER_ROW, max_row=HEADER_ROW + 50, max_col=2, values_only=True
    )
    values = {str(row[0]).strip(): row[1] for row in rows if row and row[0]}
    siren = str(values.get("SIREN") or "").strip()[:20]
    try:
        year = int(values.get("Année de référence") or 0) or None
    except (TypeError, ValueError, OverflowError):
        year = None
    return siren, year


@dataclass
class _Context:
    """What every row of a parse is checked against, and what the rows add up to."""

    campaign: Campaign
    members: dict[str, Member]
    domains: dict[str, Domain]
    member_ids: frozenset[int] | None
    result: ParsedWorkbook
    service_keys: dict[tuple[int, int], int] = field(default_factory=dict)
    line_rows: list[tuple[str, int, int, int]] = field(default_factory=list)


def parse_workbook(
    campaign: Campaign,
    data: bytes,
    *,
    file_name: str,
    member_ids: frozenset[int] | None = None,
) -> ParsedWorkbook:
    """Read every sheet and collect every problem; nothing touches the database."""
    result = ParsedWorkbook()
    try:
        with open_workbook(data, file_name, limits()) as workbook:
            result.siren, result.year = _read_meta(workbook)
            result.problems += _meta_problems(campaign, result)
            context = _Context(
                campaign,
                {m.code: m for m in campaign_members(campaign)},
                {d.code: d for d in campaign_domains(campaign)},
                member_ids,
                result,
            )
            for sheet in SHEETS:
                _parse_sheet(workbook, sheet, context)
    except SheetsError as exc:
        return ParsedWorkbook(problems=exc.problems)
    for sheet_name, number, member_id, domain_id in context.line_rows:
        if (member_id, domain_id) not in context.service_keys:
            result.problems.append(
                Problem(
                    sheet_name,
                    number,
                    "Code domaine",
                    _(
                        "aucune ligne de la feuille Services ne décrit ce domaine pour ce "
                        "membre ; ajoutez-la."
                    ),
                )
            )
    return result


def _meta_problems(campaign: Campaign, result: ParsedWorkbook) -> list[Problem]:
    body = campaign.pooling_body
    problems = []
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
    return problems


def _parse_sheet(workbook: Any, sheet: InventorySheet, context: _Context) -> None:
    read = read_sheet(workbook, sheet.spec, limits())
    problems = context.result.problems
    problems.extend(read.problems)
    if not read.readable:
        return
    seen: dict[tuple[Any, ...], int] = {}
    count = 0
    for row in read.rows:
        member, domain = _resolve(row, context)
        if sheet is SERVICES and _is_unanswered(row):
            problems.extend(row.problems)
            if member is not None:  # an unanswered template row still covers its member
                context.result.covered_member_ids.add(member.pk)
            continue
        if sheet is SERVICES and member is not None and domain is not None:
            context.service_keys[(member.pk, domain.pk)] = row.number
        for column, message in sheet.check(row.values):
            row.problem(column, message)
        count += 1
        if member is None:
            problems.extend(row.problems)
            continue
        context.result.covered_member_ids.add(member.pk)
        domain_id = domain.pk if domain is not None else None
        key = sheet.natural_key(row.values, member.pk, domain_id)
        if key is not None and key in seen:
            row.problem(None, _("doublon de la ligne %(row)s.") % {"row": seen[key]})
        elif key is not None:
            seen[key] = row.number
        problems.extend(row.problems)
        if not row.problems:
            _store(sheet, row, member, domain_id, context)
    context.result.row_counts[sheet.name] = count


def _resolve(row: Row, context: _Context) -> tuple[Member | None, Domain | None]:
    """The row's member and domain; a problem on the row for each unknown or refused code."""
    code = row.values.get("member") or ""
    member = context.members.get(code)
    if code and member is None:
        row.problem(
            "Code membre",
            _("« %(code)s » n'est pas un membre de %(body)s.")
            % {"code": code, "body": context.campaign.pooling_body.name},
        )
    allowed = context.member_ids
    if member is not None and allowed is not None and member.pk not in allowed:
        row.problem(
            "Code membre",
            _(
                "cette ligne concerne %(member)s : vous ne pouvez importer que les données de "
                "votre commune."
            )
            % {"member": member.name},
        )
    domain_code = row.values.get("domain") or ""
    domain = context.domains.get(domain_code)
    if domain_code and domain is None:
        row.problem(
            "Code domaine",
            _("« %(code)s » n'est pas un domaine de la campagne.") % {"code": domain_code},
        )
    return member, domain


def _is_unanswered(row: Row) -> bool:
    """A Services row without a mode: skipped when nothing else is answered, else refused."""
    if "mode" not in row.values or row.values["mode"]:
        return False
    if not any(row.values.get(k) not in (None, "") for k in SERVICE_ANSWERS):
        return True
    row.problem("Mode de gestion", _("valeur obligatoire."))
    return False


def _store(
    sheet: InventorySheet, row: Row, member: Member, domain_id: int | None, context: _Context
) -> None:
    if sheet.needs_domain and domain_id is None:
        return
    fields = {k: v for k, v in row.values.items() if k not in {"member", "domain"}}
    result = context.result
    if sheet.needs_service:
        assert domain_id is not None  # noqa: S101 - needs_service implies needs_domain
        target: dict[tuple[int, int], list[dict[str, Any]]] = getattr(result, sheet.store)
        target.setdefault((member.pk, domain_id), []).append(fields)
        context.line_rows.append((sheet.name, row.number, member.pk, domain_id))
        return
    if not sheet.needs_domain:
        fields["domain_id"] = domain_id
    for key, default in DEFAULTS.get(sheet.store, {}).items():
        fields[key] = fields.get(key) or default
    rows: list[ParsedRow] = getattr(result, sheet.store)
    rows.append(ParsedRow(sheet.name, row.number, member.pk, domain_id, fields))
