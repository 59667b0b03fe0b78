"""Documented ranges, the same on the web forms and in the workbook; no formula from text."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mutualis.inventory import imports, rules, workbook
from mutualis.inventory.forms import AssetForm, ContractForm, StaffForm
from mutualis.inventory.imports import ImportRejected
from mutualis.inventory.models import Asset, Contract
from tests.inventory.factories import AssetFactory
from tests.inventory.workbook_helpers import edit, rows


def rejected(inventory, data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        imports.apply_import(inventory.campaign, data, file_name="etat.xlsx")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("value", [1e15, 1e26, "1e308", "1E+999999999", -1])
def test_an_out_of_range_contract_cost_is_refused_naming_the_cell(inventory, value):
    data = edit(
        workbook.export_workbook(inventory.campaign), "Contrats", {(3, "Coût annuel (€)"): value}
    )
    problems = rejected(inventory, data)
    assert len(problems) == 1
    assert problems[0].startswith("Feuille « Contrats », ligne 3, colonne « Coût annuel (€) » : ")
    assert Contract.objects.filter(yearly_cost_amount__gt=rules.MAX_AMOUNT).count() == 0


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("Capacité", 10**9, "comprise entre 0 et 10\u202f000\u202f000"),
        ("Année d'acquisition", 1700, "comprise entre 1\u202f800 et 2\u202f100"),
        ("Taux d'utilisation (%)", 101, "comprise entre 0 et 100"),
        ("Durée d'utilisation (ans)", 0, "comprise entre 1 et 100"),
    ],
)
def test_asset_ranges_in_the_workbook(inventory, header, value, message):
    data = edit(workbook.export_workbook(inventory.campaign), "Equipements", {(3, header): value})
    [problem] = rejected(inventory, data)
    assert f"colonne « {header} »" in problem and message in problem


@pytest.mark.parametrize("value", ["1e15", "1e26", "1e308", "2000000000"])
def test_the_contract_form_refuses_the_same_values(inventory, value):
    form = ContractForm(
        data={
            "kind": Contract.Kind.SOFTWARE,
            "vendor": "Éditeur",
            "product": "Logiciel",
            "yearly_cost_amount": value,
            "start_on": "2025-01-01",
        }
    )
    assert not form.is_valid()
    assert "yearly_cost_amount" in form.errors


def test_the_form_message_is_the_rule_message(inventory):
    form = StaffForm(data={"fte_A": "1", "cost_A": "1000000001"})
    assert not form.is_valid()
    assert form.errors["cost_A"] == [
        "La valeur doit être comprise entre 0 € et 1\u202f000\u202f000\u202f000 €."
    ]
    form = AssetForm(data={"kind": Asset.Kind.BUILDING, "name": "Salle", "capacity": "20000000"})
    assert not form.is_valid()
    assert "capacity" in form.errors


def test_user_text_is_exported_as_text_never_as_a_formula(inventory):
    AssetFactory(
        campaign=inventory.campaign,
        member=inventory.world.own_commune,
        name='=HYPERLINK("http://example.invalid","clic")',
        address="=cmd|' /C calc'!A0",
    )
    data = workbook.export_workbook(inventory.campaign)
    assert b"<f>" not in data
    sheet = load_workbook(io.BytesIO(data))["Equipements"]
    texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    dangerous = [c for c in texts if c.value.startswith("=")]
    assert len(dangerous) == 2
    assert all(c.data_type == "s" and c.quotePrefix for c in dangerous)
    names = [r["Désignation"] for r in rows(data, "Equipements")]
    assert '=HYPERLINK("http://example.invalid","clic")' in names


def test_documented_ranges_cover_every_numeric_field():
    numeric = {
        f.name
        for model in (Asset, Contract)
        for f in model._meta.get_fields()
        if f.get_internal_type()
        in {"DecimalField", "PositiveIntegerField", "PositiveSmallIntegerField"}
    }
    assert numeric <= set(rules.RANGES)
    assert rules.RANGES["yearly_cost_amount"].high == Decimal("1000000000")
