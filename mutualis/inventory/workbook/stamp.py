"""The export stamp: which campaign a workbook comes from, when, and each row's version.

A hidden, protected sheet « Tampon » holds, from row 2, `key | value` lines (format, pooling
body, campaign, reference year, export time, signature), then a header line
`Feuille | Clé | Version` and one line per exported row. A row's key is built from its
codes (member, domain, category…); its version is a short hash of its stored values, so a
row edited in Mutualis after the export has another version than the one in the file.
The signature (Django's signing with `SECRET_KEY`) makes a hand-edited stamp detectable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.crypto import constant_time_compare
from openpyxl.styles import Font

from mutualis.inventory.workbook.columns import (
    ASSETS,
    CONTRACTS,
    COSTS,
    HEADER_ROW,
    SERVICES,
    STAFF,
    InventorySheet,
)
from mutualis.sheets import put, title

STAMP_SHEET = "Tampon"
FORMAT = "mutualis-etat-des-lieux-1"
SALT = "mutualis.inventory.workbook.stamp"
MANIFEST_HEADER = ("Feuille", "Clé", "Version")
ENTRIES = (
    ("format", "Format"),
    ("siren", "SIREN"),
    ("body_id", "Structure porteuse (identifiant)"),
    ("campaign_id", "Campagne (identifiant)"),
    ("year", "Année de référence"),
    ("exported_at", "Exporté le"),
    ("signature", "Signature"),
)
# What makes a row unique inside its sheet, after the member code (names without case).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    SERVICES.name: ("domain",),
    STAFF.name: ("domain", "category"),
    COSTS.name: ("domain", "chapter"),
    ASSETS.name: ("name",),
    CONTRACTS.name: ("vendor", "product"),
}
LOWERED = {"name", "vendor", "product"}


def value_fields(sheet: InventorySheet) -> tuple[str, ...]:
    """The model fields a row of `sheet` writes (its codes and informative columns aside)."""
    names = [
        c.key for c in sheet.columns if c.parse is not None and c.key not in {"member", "domain"}
    ]
    if not sheet.needs_domain:
        names.append("domain_id")
    return tuple(names)


def row_key(sheet: str, member_code: str, domain_code: str, values: Mapping[str, Any]) -> str:
    """`21001|rh|c`: the member code, then the sheet's key fields (codes, names in lower case)."""
    parts = [member_code]
    for name in KEY_FIELDS[sheet]:
        value = domain_code if name == "domain" else values.get(name)
        text = "" if value is None else str(value)
        parts.append(text.lower() if name in LOWERED or name == "category" else text)
    return "|".join(parts)


def canonical(value: object) -> str:
    """One spelling per value, so that equal values have equal versions."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def row_version(values: Mapping[str, Any]) -> str:
    text = "\x1f".join(f"{name}={canonical(values[name])}" for name in sorted(values))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Stamp:
    siren: str
    body_id: int
    campaign_id: int
    year: int
    exported_at: str
    versions: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, key) → version
    format: str = FORMAT
    signature: str = ""

    def payload(self) -> str:
        lines = [self.format, self.siren, str(self.body_id), str(self.campaign_id)]
        lines += [str(self.year), self.exported_at]
        lines += [f"{s}\x1f{k}\x1f{v}" for (s, k), v in sorted(self.versions.items())]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def sign(self) -> None:
        self.signature = signing.Signer(salt=SALT).signature(self.payload())

    @property
    def is_authentic(self) -> bool:
        expected = signing.Signer(salt=SALT).signature(self.payload())
        return bool(self.signature) and constant_time_compare(expected, self.signature)


def write_stamp(workbook: Any, stamp: Stamp) -> None:
    """The hidden, protected « Tampon » sheet."""
    stamp.sign()
    sheet = workbook.create_sheet(STAMP_SHEET)
    title(sheet, "Tampon d'export de Mutualis (ne pas modifier)")
    for offset, (attribute, label) in enumerate(ENTRIES, start=HEADER_ROW):
        put(sheet, offset, 1, label).font = Font(bold=True)
        put(sheet, offset, 2, str(getattr(stamp, attribute)))
    start = HEADER_ROW + len(ENTRIES) + 1
    for column, label in enumerate(MANIFEST_HEADER, start=1):
        put(sheet, start, column, label).font = Font(bold=True)
    for offset, ((sheet_name, key), version) in enumerate(
        sorted(stamp.versions.items()), start + 1
    ):
        put(sheet, offset, 1, sheet_name)
        put(sheet, offset, 2, key)
        put(sheet, offset, 3, version)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 50
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def read_stamp(workbook: Any, max_rows: int) -> Stamp | None:
    """The stamp of a workbook, or None when the sheet is absent or unreadable."""
    if STAMP_SHEET not in workbook.sheetnames:
        return None
    labels = {label: attribute for attribute, label in ENTRIES}
    found: dict[str, str] = {}
    versions: dict[tuple[str, str], str] = {}
    in_manifest = False
    rows = workbook[STAMP_SHEET].iter_rows(
        min_row=HEADER_ROW, max_row=HEADER_ROW + max_rows, max_col=3, values_only=True
    )
    for row in rows:
        cells = ["" if v is None else str(v) for v in (*row, None, None, None)[:3]]
        if tuple(cells) == MANIFEST_HEADER:
            in_manifest = True
        elif in_manifest and cells[0]:
            versions[(cells[0], cells[1])] = cells[2]
        elif cells[0] in labels:
            found[labels[cells[0]]] = cells[1]
    try:
        return Stamp(
            siren=found.get("siren", ""),
            body_id=int(found["body_id"]),
            campaign_id=int(found["campaign_id"]),
            year=int(found["year"]),
            exported_at=found.get("exported_at", ""),
            versions=versions,
            format=found.get("format", ""),
            signature=found.get("signature", ""),
        )
    except (KeyError, ValueError):
        return None


__all__ = [
    "STAMP_SHEET",
    "Stamp",
    "read_stamp",
    "row_key",
    "row_version",
    "value_fields",
    "write_stamp",
]
