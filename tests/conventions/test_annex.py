"""The financial annex: amounts from the engine, reconciled to the cent with a snapshot."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from mutualis.conventions import documents
from mutualis.conventions.analysis import PartyTerms, Terms, build_annex, notice_date, shift_months
from mutualis.conventions.prefill import draft_from_snapshot
from mutualis.engine.compensation import ac_deduction
from mutualis.engine.errors import EngineError
from mutualis.engine.money import D
from tests.conftest import World
from tests.conventions.factories import report_payload, snapshot, version_of
from tests.factories import MemberFactory


def test_unit_cost_annex_follows_the_decree():
    annex = build_annex(
        Terms("unit_cost", ("CGCT art. D.5211-16",), Decimal("412318.00"), unit_label="actes"),
        [
            PartyTerms("200000001", "CC", Decimal(300), is_pooling_body=True),
            PartyTerms("21001", "A", Decimal(1200)),
            PartyTerms("21002", "B", Decimal(373)),
        ],
    )
    # 412 318,00 € / 1 873 actes = 220,14 €/acte (rounded to the cent), × units per line.
    assert annex.line("21001").amount == Decimal("264168.00")
    assert annex.line("21002").amount == Decimal("82112.22")
    assert not annex.line("200000001").billed
    assert annex.total == Decimal("346280.22")
    assert all(line.reference == "CGCT art. D.5211-16" for line in annex.lines)
    assert "412 318,00" in annex.explanation.text().replace("\u202f", " ")


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("\u2212", "-")


def _ac_annex(ac_a=Decimal("120000"), ac_b=Decimal("-500")):  # type: ignore[no-untyped-def]
    return build_annex(
        Terms(
            "ac_deduction",
            ("CGCT art. L.5211-4-2",),
            Decimal("1000.00"),
            key_label="Population",
            year=2027,
            convention="convention « ADS »",
        ),
        [
            PartyTerms("200000001", "CA", is_pooling_body=True),
            PartyTerms("21001", "A", weight=Decimal(1), ac_base=ac_a),
            PartyTerms("21002", "B", weight=Decimal(2), ac_base=ac_b),
        ],
    )


def test_ac_deduction_is_split_in_twelfths_summing_to_the_share():
    annex = _ac_annex()
    assert [line.amount for line in annex.lines] == [Decimal("333.33"), Decimal("666.67")]
    assert annex.total == Decimal("1000.00")
    for line in annex.lines:
        assert len(line.instalments) == 12
        assert sum(line.instalments) == line.amount
        assert line.reference == "CGI art. 1609 nonies C"


def test_ac_deduction_goes_through_the_engine_with_each_commune_attribution():
    annex = _ac_annex()
    expected = ac_deduction(
        2027,
        Decimal("1000.00"),
        {"21001": 1, "21002": 2},
        {"21001": Decimal("120000"), "21002": Decimal("-500")},
        convention="convention « ADS »",
        names={"21001": "A", "21002": "B"},
        key_label="Population",
    )
    assert annex.explanation == expected.explain()
    first, second = annex.lines
    assert _plain(first.basis) == "AC 120 000,00 € → nette 119 666,67 €"
    assert "AC nette" in first.formula
    assert _plain(second.basis) == "AC -500,00 € → nette -1 166,67 €"
    text = annex.explanation.text()
    assert "CGI art. 1609 nonies C" in text and "convention « ADS »" in text


def test_ac_deduction_without_a_commune_attribution_names_it():
    with pytest.raises(EngineError, match="B \\(21002\\)"):
        _ac_annex(ac_b=None)


def test_tariff_lines_are_tariff_times_units():
    annex = build_annex(
        Terms(
            "tariff",
            ("CGCT art. L.5214-16-1",),
            tariff_amount=Decimal("12.5"),
            unit_label="heures",
            periodicity_months=3,
        ),
        [PartyTerms("21001", "A", units=Decimal(7))],
    )
    assert annex.line("21001").amount == Decimal("87.50")
    assert annex.line("21001").instalments == (
        Decimal("21.88"),
        Decimal("21.88"),
        Decimal("21.87"),
        Decimal("21.87"),
    )


def test_annex_reconciles_to_the_cent_with_the_scenario_snapshot(world: World):
    members = [world.own_commune, world.other_commune, MemberFactory(pooling_body=world.body)]
    amounts = ["12345.67", "8901.23", "0.01"]
    snap = snapshot(world.body, members, report_payload(members, amounts))
    convention = draft_from_snapshot(snap)
    data = documents.document_data(version_of(convention))
    by_code = {line.code: line.amount for line in data.annex.billed_lines}
    assert by_code == {m.insee_code: D(a) for m, a in zip(members, amounts, strict=True)}
    assert data.annex.total == sum(D(a) for a in amounts)
    assert convention.source_snapshot_id == snap.pk

    sheet = openpyxl.load_workbook(io.BytesIO(documents.render_annex(data, "xlsx")))[
        "Annexe financière"
    ]
    values = {row[1]: row[4] for row in sheet.iter_rows(min_row=5, values_only=True) if row[1]}
    for member, amount in zip(members, amounts, strict=True):
        assert D(values[member.insee_code]) == D(amount)


def test_snapshot_of_a_mise_a_disposition_uses_the_workload_as_units(world: World):
    members = [world.own_commune, world.other_commune]
    snap = snapshot(
        world.body, members, report_payload(members, ["100.00", "200.00"], "mad_descendante")
    )
    version = version_of(draft_from_snapshot(snap))
    assert version.method == "unit_cost"
    assert version.charges_amount == Decimal("300.00")
    units = sorted(p.forecast_units for p in version.parties.exclude(member=None))
    assert units == [Decimal(300), Decimal(400)]


def test_notice_date_counts_back_whole_months():
    from datetime import date

    assert notice_date(date(2029, 12, 31), 6) == date(2029, 6, 30)
    assert shift_months(date(2027, 3, 31), -1) == date(2027, 2, 28)
