"""`mutualis scenario import|report|list` end to end, and the bad input of issue 12."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from mutualis.scenarios.models import Scenario
from tests.scenarios.conftest import ScenarioWorld

SIREN = "200000001"


def _document(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "name": "ADS importé",
        "domain": "ads",
        "legal_form": "service_commun",
        "members": ["21001", "21002", "21003"],
        "start_year": 2026,
        "horizon_years": 5,
        "method": "scrb",
        "cost_model": {"productivity": 200, "fixed_costs": "12000.00", "manager_span": None},
    }
    doc.update(changes)
    return doc


def _import(tmp_path: Path, document: object) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    call_command("scenario", "import", str(path), "--pooling-body", SIREN)


def test_import_prefills_what_the_document_leaves_out(sworld: ScenarioWorld, tmp_path, capsys):
    _import(tmp_path, _document())
    assert "créé" in capsys.readouterr().out
    scenario = Scenario.objects.get(name="ADS importé")
    assert scenario.productivity == Decimal(200)
    assert scenario.fixed_costs_amount == Decimal("12000.00")
    assert scenario.staff_category == "B"  # the ADS default
    assert "productivity" not in scenario.defaults
    assert "staff_category" in scenario.defaults
    assert sorted(scenario.members.values_list("insee_code", flat=True)) == [
        "21001",
        "21002",
        "21003",
    ]


def test_report_writes_json_pdf_and_xlsx(sworld: ScenarioWorld, tmp_path, capsys):
    pk = sworld.scenario.pk
    out = tmp_path / "r.json"
    call_command("scenario", "report", str(pk), "--format", "json", "-o", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    member = doc["members"][0]
    for key in ("insee_code", "cost_before", "allocations", "saving", "individually_rational"):
        assert key in member
    for key in ("core_test", "projection", "payback_year", "net_present_value", "assumptions"):
        assert key in doc
    pdf = tmp_path / "r.pdf"
    call_command("scenario", "report", str(pk), "--format", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "r.xlsx"
    call_command("scenario", "report", str(pk), "--format", "xlsx", "-o", str(xlsx))
    sheet = load_workbook(xlsx)["Répartition"]
    assert sheet.cell(row=4, column=1).value == "Bourg-Témoin"


def test_list_names_every_scenario_of_the_body(sworld: ScenarioWorld, capsys):
    call_command("scenario", "list", "--pooling-body", SIREN)
    assert "Service commun ADS" in capsys.readouterr().out


BAD_INPUT = [
    ("zero productivity", {"cost_model": {"productivity": 0}}, "productivity"),
    ("negative productivity", {"cost_model": {"productivity": -3}}, "productivity"),
    ("negative cost", {"cost_model": {"fixed_costs": "-1"}}, "fixed_costs"),
    ("negative ETP cost", {"cost_model": {"cost_per_fte": {"B": -5}}}, "cost_per_fte.B"),
    ("horizon 0", {"horizon_years": 0}, "horizon_years"),
    ("horizon 31", {"horizon_years": 31}, "horizon_years"),
    ("no member", {"members": []}, "members"),
    ("member outside the body", {"members": ["21001", "69001"]}, "69001"),
    ("unknown domain", {"domain": "astronautique"}, "domain"),
    ("discount -100 %", {"cost_model": {"discount_rate": "-1"}}, "discount_rate"),
    ("unknown key", {"colour": "bleu"}, "colour : clé inconnue"),
    ("unknown cost key", {"cost_model": {"speed": 3}}, "cost_model.speed"),
    ("wrong type", {"horizon_years": "six"}, "horizon_years : doit être un entier"),
    ("wrong number", {"cost_model": {"productivity": "beaucoup"}}, "productivity"),
    ("unknown method", {"method": "au doigt mouillé"}, "method"),
]


@pytest.mark.parametrize(("case", "changes", "message"), BAD_INPUT, ids=[c for c, *_ in BAD_INPUT])
def test_bad_input_exits_2_in_french_and_stores_nothing(
    sworld: ScenarioWorld, tmp_path, capsys, case, changes, message
):
    before = Scenario.objects.count()
    with pytest.raises(SystemExit) as exit_info:
        _import(tmp_path, _document(**changes))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "rien n'a été enregistré" in err
    assert message in err
    assert Scenario.objects.count() == before


def test_invalid_json_exits_2(sworld: ScenarioWorld, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("{ pas du json", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("scenario", "import", str(path), "--pooling-body", SIREN)
    assert exit_info.value.code == 2
    assert "JSON invalide" in capsys.readouterr().err


def test_unknown_body_and_scenario_exit_2(sworld: ScenarioWorld, tmp_path, capsys):
    with pytest.raises(SystemExit):
        call_command("scenario", "list", "--pooling-body", "999999999")
    with pytest.raises(SystemExit):
        call_command("scenario", "report", "999", "-o", str(tmp_path / "x.json"))
    assert "Aucun scénario" in capsys.readouterr().err
