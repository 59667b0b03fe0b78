"""`mutualis operations …` end to end through call_command, with exit codes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import Offer, UnitEntry
from mutualis.territories.models import MemberAttribute
from tests.operations.conftest import Ops

SAMPLE = Path("mutualis/operations/sample_catalogue.json")


def test_catalogue_import_then_tariff_by_population(world, capsys) -> None:
    call_command("operations", "catalogue", "import", str(SAMPLE), "--pooling-body", "200000001")
    assert "8 offre(s) chargée(s)" in capsys.readouterr().out
    assert Offer.objects.get(code="sig").bands.count() == 3
    call_command("operations", "tariff", "--offer", "portail", "--population", "2000")
    out = capsys.readouterr().out
    assert "950,00" in out and "de 2\u202f000 à 9\u202f999 hab." in out


def test_tariff_uses_the_members_recorded_population_with_its_source(world, capsys) -> None:
    call_command("operations", "catalogue", "import", str(SAMPLE), "--pooling-body", "200000001")
    offer = Offer.objects.get(code="dpo")
    offer.population_key = "habitants_dgf"
    offer.save()
    MemberAttribute.objects.create(
        member=world.own_commune,
        key="habitants_dgf",
        label="Population DGF",
        value=1800,
        source="DGCL",
        year=2025,
    )
    capsys.readouterr()
    call_command("operations", "tariff", "--offer", "dpo", "--member", "21001", "--year", "2026")
    out = capsys.readouterr().out
    assert "Population DGF, DGCL 2025" in out
    assert "450,00" in out  # 0,25 × 1 800


def test_catalogue_with_overlapping_bands_is_refused_entirely(world, tmp_path, capsys) -> None:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["offers"][3]["tariff"]["bands"][1]["from"] = 400
    data["offers"][0]["tariff"]["model"] = "nope"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("operations", "catalogue", "import", str(path), "--pooling-body", "200000001")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "chevauchent" in err and "ligne 4" in err
    assert "inconnu" in err
    assert Offer.objects.count() == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["tariff", "--offer", "inconnue", "--population", "10"],
        ["catalogue", "import", "absent.json", "--pooling-body", "200000001"],
        [
            "statements",
            "--pooling-body",
            "999999999",
            "--year",
            "2026",
            "--format",
            "json",
            "-o",
            "x",
        ],
    ],
)
def test_bad_input_exits_2_in_french(world, argv) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("operations", *argv)
    assert caught.value.returncode == 2
    assert any(word in str(caught.value) for word in ("Aucune", "introuvable"))


def test_import_units_dry_run_then_for_real(ops: Ops, tmp_path, capsys) -> None:
    path = tmp_path / "unites.csv"
    path.write_text("code;mois;unites\n21001;1;5\n21002;1;3,5\n", encoding="utf-8")
    args = [
        "operations",
        "import-units",
        str(path),
        "--service",
        str(ops.service.pk),
        "--year",
        "2026",
    ]
    call_command(*args, "--dry-run")
    assert "rien n'a été enregistré" in capsys.readouterr().out
    assert UnitEntry.objects.count() == 0
    call_command(*args)
    assert sorted(UnitEntry.objects.values_list("units", flat=True)) == [Decimal("3.5"), Decimal(5)]


def test_statements_export_in_every_format(ops: Ops, tmp_path) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    services.record_units(
        ops.service, 2026, [services.UnitRow(1, "21001", 1, Decimal(10))], origin="typed"
    )
    statement = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1).created[
        0
    ]
    services.change_status(statement, "validate")
    services.change_status(statement, "issue")
    for fmt, suffix in (("json", "json"), ("xlsx", "xlsx"), ("pdf", "pdf"), ("titles-csv", "csv")):
        out = tmp_path / f"etats.{suffix}"
        call_command(
            "operations",
            "statements",
            "--pooling-body",
            "200000001",
            "--year",
            "2026",
            "--format",
            fmt,
            "-o",
            str(out),
        )
        assert out.stat().st_size > 0
    payload = json.loads((tmp_path / "etats.json").read_text(encoding="utf-8"))
    assert payload[0]["total"] == "2201.38"  # 10 × 220,137747
    assert payload[0]["status"] == "issued"
    assert "2201,38" in (tmp_path / "etats.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "argv",
    [
        ["statements", "--pooling-body", "200000001", "--year", "2026", "--format", "docx"],
        ["tariff", "--offer", "sig", "--population", "beaucoup"],
        [],
    ],
)
def test_usage_errors_exit_2_in_french(world, argv, capsys) -> None:
    """An unknown format, a population that is not a number, no action at all."""
    with pytest.raises(CommandError) as caught:
        call_command("operations", *argv)
    assert caught.value.returncode == 2
    assert str(caught.value).startswith("Arguments invalides")
    from mutualis.operations.management.commands.operations import Command

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["mutualis", "operations", *argv])
    assert exit_.value.code == 2
    assert "Erreur : arguments invalides" in capsys.readouterr().err
