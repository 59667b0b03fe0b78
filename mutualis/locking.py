"""Optimistic locking: a form carries the version of the record it edits.

The version is a digest of the record's saved values (`snapshot`: label → displayed
value), so it changes whatever path wrote the record (web form, workbook import, admin)
without a column to keep in step. A save whose version is no longer the saved one is
refused with the values on both sides; nothing is written (never last-write-wins).
Pure: no Django.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FIELD_NAME = "version"

Snapshot = Mapping[str, str]


def version_of(snapshot: Snapshot) -> str:
    text = "\x1f".join(f"{key}\x1e{snapshot[key]}" for key in sorted(snapshot))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Difference:
    label: str
    yours: str
    saved: str


class StaleEdit(ValueError):
    """Someone saved the record after this form was opened."""

    def __init__(self, differences: tuple[Difference, ...]) -> None:
        self.differences = differences
        parts = "; ".join(
            f"{d.label} : votre valeur « {d.yours} », valeur enregistrée entre-temps « {d.saved} »"
            for d in differences
        )
        super().__init__(
            "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte ; "
            "rien n'a été enregistré. Vérifiez les valeurs ci-dessous puis enregistrez à nouveau"
            + (f" ({parts})." if parts else ".")
        )


class MissingVersion(StaleEdit):
    """An edit form was posted without the version it was opened on."""

    def __init__(self) -> None:
        self.differences = ()
        ValueError.__init__(
            self,
            "Ce formulaire ne porte pas la version de la fiche qu'il modifie ; rien n'a été "
            "enregistré. Vérifiez les valeurs ci-dessous puis enregistrez à nouveau.",
        )


def posted_version(data: Mapping[str, str]) -> str:
    """The version an edit form posted (`FIELD_NAME`); `MissingVersion` when absent or blank.

    An edit form always carries one: a post without it (an old page, a hand-made client)
    must not skip the check.
    """
    version = (data.get(FIELD_NAME) or "").strip()
    if not version:
        raise MissingVersion()
    return version


def check_version(expected: str | None, saved: Snapshot, yours: Snapshot) -> None:
    """Raise `StaleEdit` when `expected` (the form's version) is not the saved one.

    `expected` None: no form is involved (a new record, or a caller in code); views read
    the posted version with `posted_version`, which refuses a form without it.
    """
    if expected is None or expected == version_of(saved):
        return
    labels = sorted(set(saved) | set(yours))
    raise StaleEdit(
        tuple(
            Difference(label, yours.get(label, "—"), saved.get(label, "—"))
            for label in labels
            if yours.get(label, "—") != saved.get(label, "—")
        )
    )


def text(value: object) -> str:
    """A value as shown to the user; equal values give equal texts (120 and 120.00)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def snapshot_of(
    values: Mapping[str, object], labels: Mapping[str, str], prefix: str = ""
) -> dict[str, str]:
    """`values` by field name → a snapshot keyed by the fields' French labels."""
    return {f"{prefix}{labels[name]}": text(values.get(name)) for name in labels}


def instance_values(instance: object | None, names: Iterable[str]) -> dict[str, object]:
    """The named attributes of a record (none when the record does not exist yet)."""
    if instance is None:
        return {}
    return {name: getattr(instance, name) for name in names}
