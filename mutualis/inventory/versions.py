"""Versions of the entry forms (optimistic locking through `mutualis.locking`).

A service record's version covers its fields and its staff and cost lines; the version of
a member's assets (or contracts) covers every row of the member, so that a row added,
changed or deleted meanwhile refuses the save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from mutualis.inventory.forms import AssetForm, ContractForm, ServiceRecordForm
from mutualis.inventory.models import Asset, Contract, ServiceRecord, StaffLine
from mutualis.locking import instance_values, snapshot_of, text


def _labels(model: type[models.Model], names: Iterable[str]) -> dict[str, str]:
    labels = {}
    for name in names:
        field = model._meta.get_field(name)
        labels[name] = str(getattr(field, "verbose_name", name))
    return labels


SERVICE_FIELDS = tuple(ServiceRecordForm.Meta.fields)
ROW_FIELDS = {Asset: tuple(AssetForm.Meta.fields), Contract: tuple(ContractForm.Meta.fields)}


def service_snapshot(
    values: Mapping[str, Any],
    staff: Iterable[tuple[str, Any, Any]],
    costs: Iterable[tuple[str, Any]],
) -> dict[str, str]:
    """A service record as label → value: fields, then one entry per staff and cost line."""
    snapshot = snapshot_of(values, _labels(ServiceRecord, SERVICE_FIELDS)) if values else {}
    categories = dict(StaffLine.Category.choices)
    for category, fte, cost in staff:
        name = categories.get(category, category)
        snapshot[_("ETP %(category)s") % {"category": name}] = text(fte)
        snapshot[_("Coût %(category)s") % {"category": name}] = text(cost)
    for chapter, amount in costs:
        snapshot[_("Chapitre %(chapter)s") % {"chapter": chapter}] = text(amount)
    return snapshot


def saved_service_snapshot(record: ServiceRecord | None) -> dict[str, str]:
    if record is None:
        return {}
    return service_snapshot(
        instance_values(record, SERVICE_FIELDS),
        [(s.category, s.fte, s.cost_amount) for s in record.staff_lines.all()],
        [(c.chapter, c.amount) for c in record.cost_lines.all()],
    )


def rows_snapshot(
    model: type[Asset] | type[Contract], rows: Iterable[tuple[int | None, Mapping[str, Any]]]
) -> dict[str, str]:
    """A member's rows as label → value, each label prefixed by the row's number."""
    labels = _labels(model, ROW_FIELDS[model])
    snapshot: dict[str, str] = {}
    for pk, values in rows:
        prefix = _("Ligne n° %(pk)s · ") % {"pk": pk} if pk else _("Nouvelle ligne · ")
        snapshot.update(snapshot_of(values, labels, prefix))
    return snapshot


def saved_rows_snapshot(model: type[Asset] | type[Contract], rows: Iterable[Any]) -> dict[str, str]:
    return rows_snapshot(model, [(row.pk, instance_values(row, ROW_FIELDS[model])) for row in rows])
