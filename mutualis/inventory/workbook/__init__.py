"""The inventory workbook: a pre-filled Excel template out, an all-or-nothing import in.

Sheets: Instructions, Paramètres (campaign metadata), Services, Personnel, Charges,
Equipements, Contrats, Listes (the code lists behind the drop-downs) and the hidden
Tampon (the export stamp). On every data sheet row 1 is a title, row 2 the column headers
and the data start on row 3.

- `columns`: one spec per data sheet (columns, natural key, row rule, store step);
- `export`: `export_workbook(campaign, member_ids)`;
- `stamp`: the Tampon sheet (campaign, export time, signature, each row's key and
  version);
- `parse`: `parse_workbook(campaign, data, file_name=, member_ids=)` collects every problem
  (sheet, row, column, message in French) before anything is stored;
- `current`: the stored rows as workbook rows (`load_current`);
- `plan`: `build_plan(...)`, what an import would create, update, delete, and which rows
  are conflicts or refused — pure; `imports` previews, applies and undoes it.

Files go through `mutualis.sheets`: checked before parsing, numbers bounded by the ranges
of `inventory.rules`, text never written as a formula.
"""

from mutualis.inventory.workbook.columns import SHEETS, InventorySheet
from mutualis.inventory.workbook.export import export_workbook
from mutualis.inventory.workbook.parse import (
    ParsedRow,
    ParsedWorkbook,
    limits,
    max_upload_bytes,
    parse_workbook,
    read_campaign_key,
    size_problem,
)
from mutualis.inventory.workbook.plan import Plan, RowChange, build_plan
from mutualis.sheets import Problem

__all__ = [
    "SHEETS",
    "InventorySheet",
    "ParsedRow",
    "ParsedWorkbook",
    "Plan",
    "Problem",
    "RowChange",
    "build_plan",
    "export_workbook",
    "limits",
    "max_upload_bytes",
    "parse_workbook",
    "read_campaign_key",
    "size_problem",
]
