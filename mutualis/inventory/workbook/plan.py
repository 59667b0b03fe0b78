"""What an import would do, row by row, before anything is written: pure, no database.

Three versions of each row meet: the one exported (its version in the stamp), the one
stored now, the one in the file. When the stored row still has its exported version, the
file wins: the row is created, updated or deleted. When it changed in Mutualis since the
export (edited, added or deleted), a different file row is a *conflict*, left untouched
unless the user chooses to overwrite. Rows of a transmitted submission are *refused*.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from mutualis.engine.money import format_number
from mutualis.inventory.workbook.columns import COSTS, SERVICES, SHEETS, STAFF
from mutualis.inventory.workbook.current import Current, CurrentRow
from mutualis.inventory.workbook.parse import ParsedRow
from mutualis.inventory.workbook.stamp import canonical
from mutualis.sheets import NO, YES

CREATE, UPDATE, DELETE = "create", "update", "delete"
APPLY, CONFLICT, REFUSED = "apply", "conflict", "refused"
LINE_SHEETS = (STAFF.name, COSTS.name)
ORDER = {sheet.name: index for index, sheet in enumerate(SHEETS)}
LABELS = {
    sheet.name: {c.key: c.header for c in sheet.columns} | {"domain_id": "Code domaine"}
    for sheet in SHEETS
}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """One row the import would create, update or delete, and whether it will."""

    sheet: str
    key: str
    member_id: int
    action: str  # CREATE, UPDATE, DELETE
    status: str  # APPLY, CONFLICT, REFUSED
    reason: str
    row: int | None  # the Excel row, when the file has one
    pk: int | None  # the stored row, when there is one
    domain_id: int | None
    old: dict[str, Any]
    new: dict[str, Any]
    fields: tuple[FieldChange, ...]
    changed_in_app: bool  # the stored row differs from the exported one

    @property
    def service_key(self) -> str:
        return "|".join(self.key.split("|")[:2])

    @property
    def label(self) -> str:
        return " — ".join(part for part in self.key.split("|")[1:] if part) or self.key

    @property
    def status_label(self) -> str:
        return {APPLY: _("à appliquer"), CONFLICT: _("conflit"), REFUSED: _("refusée")}[self.status]

    @property
    def text(self) -> str:
        """One line: `modification, ligne 5 : rh (Mode de gestion : regie → externalise)`."""
        where = f", ligne {self.row}" if self.row else ""
        fields = " ; ".join(f"{f.label} : {f.old} → {f.new}" for f in self.fields)
        detail = f" ({fields})" if fields and self.action != DELETE else ""
        status = "" if self.status == APPLY and not self.reason else f" [{self.status_label}"
        if status:
            status += f" : {self.reason}]" if self.reason else "]"
        return f"{self.action_label}{where} : {self.label}{detail}{status}"

    @property
    def action_label(self) -> str:
        return {CREATE: _("création"), UPDATE: _("modification"), DELETE: _("suppression")}[
            self.action
        ]


@dataclass(frozen=True)
class Plan:
    changes: tuple[RowChange, ...]
    skipped: tuple[Any, ...] = ()  # sheets.Problem of rows outside the user's communes
    notes: dict[str, Any] = field(default_factory=dict)

    def by_status(self, status: str) -> tuple[RowChange, ...]:
        return tuple(c for c in self.changes if c.status == status)

    @property
    def applied(self) -> tuple[RowChange, ...]:
        return self.by_status(APPLY)

    @property
    def conflicts(self) -> tuple[RowChange, ...]:
        return self.by_status(CONFLICT)

    @property
    def refused(self) -> tuple[RowChange, ...]:
        return self.by_status(REFUSED)

    def count(self, action: str) -> int:
        return sum(1 for c in self.applied if c.action == action)

    @property
    def count_create(self) -> int:
        return self.count(CREATE)

    @property
    def count_update(self) -> int:
        return self.count(UPDATE)

    @property
    def count_delete(self) -> int:
        return self.count(DELETE)

    @property
    def is_empty(self) -> bool:
        return not self.applied

    @property
    def digest(self) -> str:
        """Identifies what the file would do, whatever the overwrite choice: a confirmation
        applies the plan that was shown, or nothing."""
        text = "\n".join(
            f"{c.sheet}\x1f{c.key}\x1f{c.action}\x1f{c.changed_in_app}\x1f"
            f"{c.status == REFUSED}\x1f"
            + "\x1f".join(f"{f.name}={f.old}>{f.new}" for f in c.fields)
            for c in self.changes
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def sections(self, member_names: Mapping[int, str]) -> list[Section]:
        """The changes by member (by name) and sheet (in workbook order)."""
        groups: dict[tuple[int, str], list[RowChange]] = {}
        for change in self.changes:
            groups.setdefault((change.member_id, change.sheet), []).append(change)
        ordered = sorted(
            groups.items(),
            key=lambda item: (member_names.get(item[0][0], ""), ORDER[item[0][1]]),
        )
        return [
            Section(member_names.get(member_id, str(member_id)), sheet, tuple(changes))
            for (member_id, sheet), changes in ordered
        ]

    def lines(self, member_names: Mapping[int, str]) -> list[str]:
        """The preview as text (the command line's `--dry-run`)."""
        out = [
            _(
                "Aperçu : %(created)s ligne(s) à créer, %(updated)s à modifier, "
                "%(deleted)s à supprimer ; %(conflicts)s conflit(s), %(refused)s refusée(s)."
            )
            % {
                "created": self.count(CREATE),
                "updated": self.count(UPDATE),
                "deleted": self.count(DELETE),
                "conflicts": len(self.conflicts),
                "refused": len(self.refused),
            }
        ]
        for section in self.sections(member_names):
            out.append(f"{section.member} — feuille {section.sheet}")
            for change in section.changes:
                out.append("  " + change.text)
        out += [f"{group}" for group in self.skipped]
        return out


@dataclass(frozen=True)
class Section:
    member: str
    sheet: str
    changes: tuple[RowChange, ...]


def display(value: object, domain_codes: Mapping[int, str], name: str) -> str:
    """A value as the preview shows it (French numbers and dates, codes for domains)."""
    if value is None or value == "":
        return "—"
    if name == "domain_id":
        return domain_codes.get(int(str(value)), str(value))
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _differences(
    sheet: str, old: Mapping[str, Any], new: Mapping[str, Any], show: Callable[[object, str], str]
) -> tuple[FieldChange, ...]:
    names = list(dict.fromkeys([*new, *old]))
    return tuple(
        FieldChange(
            name,
            LABELS[sheet].get(name, name),
            show(old.get(name), name),
            show(new.get(name), name),
        )
        for name in names
        if canonical(old.get(name)) != canonical(new.get(name))
    )


def _reason(current: CurrentRow | None, exported: str | None) -> str:
    if current is None:
        return _("supprimée dans Mutualis depuis l'export du classeur")
    if exported is None:
        return _("ajoutée dans Mutualis depuis l'export du classeur")
    return _("modifiée dans Mutualis depuis l'export du classeur")


def build_plan(
    *,
    rows: Mapping[str, list[ParsedRow]],
    current: Current,
    exported: Mapping[tuple[str, str], str],
    covered: set[int],
    submitted: set[int],
    domain_codes: Mapping[int, str],
    overwrite: bool = False,
    skipped: tuple[Any, ...] = (),
) -> Plan:
    """Every row the file would change, with its action and status (see the module doc)."""

    def show(value: object, name: str) -> str:
        return display(value, domain_codes, name)

    changes: list[RowChange] = []
    for sheet in SHEETS:
        in_file = {r.key: r for r in rows.get(sheet.name, [])}
        stored = {k: r for k, r in current.get(sheet.name, {}).items() if r.member_id in covered}
        for key in list(dict.fromkeys([*in_file, *stored])):
            new_row, old_row = in_file.get(key), stored.get(key)
            old = dict(old_row.values) if old_row else {}
            new = dict(new_row.values) if new_row else {}
            fields = _differences(sheet.name, old, new, show)
            if new_row is not None and old_row is not None and not fields:
                continue
            action = CREATE if old_row is None else DELETE if new_row is None else UPDATE
            member_id = (new_row or old_row).member_id  # type: ignore[union-attr]
            exported_version = exported.get((sheet.name, key))
            changed = (old_row.version if old_row else None) != exported_version
            status, reason = APPLY, ""
            if member_id in submitted:
                status, reason = REFUSED, _("saisie transmise : demandez sa réouverture")
            elif changed and not overwrite:
                status, reason = CONFLICT, _reason(old_row, exported_version)
            elif changed:
                reason = _reason(old_row, exported_version)
            changes.append(
                RowChange(
                    sheet=sheet.name,
                    key=key,
                    member_id=member_id,
                    action=action,
                    status=status,
                    reason=reason,
                    row=new_row.row if new_row else None,
                    pk=old_row.pk if old_row else None,
                    domain_id=(new_row or old_row).domain_id,  # type: ignore[union-attr]
                    old=old,
                    new=new,
                    fields=fields,
                    changed_in_app=changed,
                )
            )
    return Plan(tuple(_hold_dependents(changes, current)), tuple(skipped))


def _hold_dependents(changes: list[RowChange], current: Current) -> list[RowChange]:
    """Staff and cost lines need their Services row; a Services row is only deleted with
    all its lines. Whatever cannot be applied alone becomes a conflict."""
    services_after = set(current.get(SERVICES.name, {}))
    for change in changes:
        if change.sheet == SERVICES.name and change.status == APPLY:
            if change.action == CREATE:
                services_after.add(change.key)
            elif change.action == DELETE:
                services_after.discard(change.key)
    held = _("le domaine de cette ligne n'est pas enregistré (ligne Services non appliquée)")
    result = []
    for change in changes:
        if (
            change.sheet in LINE_SHEETS
            and change.status == APPLY
            and change.action != DELETE
            and change.service_key not in services_after
        ):
            change = _with_status(change, CONFLICT, held)
        result.append(change)
    deleted = {(c.sheet, c.key) for c in result if c.action == DELETE and c.status == APPLY}
    lines_kept = {
        "|".join(key.split("|")[:2])
        for sheet in LINE_SHEETS
        for key in current.get(sheet, {})
        if (sheet, key) not in deleted
    }
    kept = _("des lignes Personnel ou Charges de ce domaine sont conservées")
    return [
        _with_status(c, CONFLICT, kept)
        if c.sheet == SERVICES.name
        and c.action == DELETE
        and c.status == APPLY
        and c.key in lines_kept
        else c
        for c in result
    ]


def _with_status(change: RowChange, status: str, reason: str) -> RowChange:
    values = {**change.__dict__, "status": status, "reason": reason}
    return RowChange(**values)


def sort_for_apply(changes: tuple[RowChange, ...]) -> list[RowChange]:
    """Creations and updates parents first (Services before its lines), deletions after,
    children first."""
    writes = sorted((c for c in changes if c.action != DELETE), key=lambda c: ORDER[c.sheet])
    deletions = sorted((c for c in changes if c.action == DELETE), key=lambda c: -ORDER[c.sheet])
    return writes + deletions
