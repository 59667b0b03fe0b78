"""`mutualis convention draft|render|list|alerts` end to end, with exit code 2 on bad input."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from docx import Document as DocxDocument

from mutualis.conventions.models import Convention
from tests.conftest import World
from tests.conventions.factories import draft, report_payload, signed, snapshot


def _run(*args: str) -> None:
    call_command("convention", *args)


def test_draft_from_a_snapshot_prints_the_new_id(world: World, capsys):
    members = [world.own_commune, world.other_commune]
    snap = snapshot(world.body, members, report_payload(members, ["100.00", "50.00"]))
    _run("draft", "--scenario", str(snap.pk))
    pk = int(capsys.readouterr().out.strip())
    convention = Convention.objects.get(pk=pk)
    assert convention.source_snapshot == snap and convention.legal_form == "service_commun"


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "annex-xlsx"])
def test_render_writes_each_format(world: World, tmp_path, capsys, fmt):
    convention = draft(world.body, [world.own_commune])
    output = tmp_path / f"out.{fmt}"
    _run("render", str(convention.pk), "--format", fmt, "-o", str(output))
    assert "Document écrit" in capsys.readouterr().out
    content = output.read_bytes()
    if fmt == "docx":
        assert any("Saint-Essai" in p.text for p in DocxDocument(io.BytesIO(content)).paragraphs)
    elif fmt == "annex-xlsx":
        assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0] == "Annexe financière"
    elif fmt == "pdf":
        assert content.startswith(b"%PDF-")
    else:
        assert content.startswith(b"PK")


def test_list_and_ending_within(world: World, capsys):
    version = signed(world.body, [world.own_commune], title="ADS signée")
    draft(world.body, [world.own_commune], title="Autre projet")
    _run("list", "--pooling-body", "200000001")
    out = capsys.readouterr().out
    assert "ADS signée" in out and "Autre projet" in out
    with time_machine.travel(date(2029, 6, 1)):
        _run("list", "--pooling-body", "200000001", "--ending-within", "60")
    out = capsys.readouterr().out
    assert "Date limite de préavis\t30/06/2029" in out and "Autre projet" not in out
    assert str(version.convention_id) in out


def test_alerts_mail_the_coordinator(world: World, capsys):
    world.pooling_admin.email = "coordination@example.org"
    world.pooling_admin.save()
    signed(world.body, [world.own_commune], title="ADS signée")
    with time_machine.travel(date(2029, 6, 1)):
        _run("alerts", "--days", "60")
    assert "1 courriel(s) envoyé(s)" in capsys.readouterr().out
    assert mail.outbox[0].to == ["coordination@example.org"]
    assert "30/06/2029" in mail.outbox[0].body and "ADS signée" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("draft", "--scenario", "999"), "Aucun instantané de scénario n° 999"),
        (("draft", "--scenario", "abc"), "doit être un entier"),
        (("render", "999", "--format", "pdf", "-o", "x.pdf"), "Aucune convention n° 999"),
        (("render", "1", "--format", "rtf", "-o", "x.rtf"), "Format « rtf » inconnu"),
        (("list", "--pooling-body", "999999999"), "Aucune structure porteuse"),
        (("list", "--pooling-body", "200000001", "--ending-within", "-3"), "entier positif"),
    ],
)
def test_bad_input_exits_2_in_french(world: World, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        _run(*args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_draft_from_a_snapshot_with_a_foreign_member_exits_2(world: World, capsys):
    members = [world.own_commune, world.other_commune]
    payload = report_payload(members, ["1.00", "2.00"])
    payload["members"][1]["insee_code"] = world.foreign_commune.insee_code
    payload["members"][1]["name"] = "Lointaine"
    snap = snapshot(world.body, members, payload)
    with pytest.raises(SystemExit) as exc:
        _run("draft", "--scenario", str(snap.pk))
    assert exc.value.code == 2
    assert "Lointaine" in capsys.readouterr().err
    assert not Convention.objects.exists()


def test_the_mutualis_entry_point_reaches_the_command(world: World, capsys):
    from mutualis.cli import main

    draft(world.body, [world.own_commune], title="Par le point d'entrée")
    main(["convention", "list", "--pooling-body", "200000001"])
    assert "Par le point d'entrée" in capsys.readouterr().out
