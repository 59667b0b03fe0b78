"""`mutualis inventory export|import|report` through call_command, with exit codes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mutualis.inventory.models import ImportLog, ServiceRecord
from tests.inventory.workbook_helpers import edit, rows

pytestmark = pytest.mark.django_db


def test_export_writes_the_prefilled_template(inventory, tmp_path, capsys):
    output = tmp_path / "modele.xlsx"
    call_command(
        "inventory", "export", "--pooling-body", "200000001", "--year", "2025", "-o", str(output)
    )
    assert "Classeur écrit" in capsys.readouterr().out
    assert {r["Code membre"] for r in rows(output.read_bytes(), "Services")} == {"21001", "21002"}


def test_export_of_an_unknown_campaign_is_an_error(inventory, tmp_path):
    with pytest.raises(CommandError, match="Aucune campagne 2031"):
        call_command(
            "inventory",
            "export",
            "--pooling-body",
            "200000001",
            "--year",
            "2031",
            "-o",
            str(tmp_path / "x.xlsx"),
        )


def test_import_finds_the_campaign_in_the_workbook_and_applies_it(inventory, tmp_path, capsys):
    template = tmp_path / "modele.xlsx"
    call_command(
        "inventory", "export", "--pooling-body", "200000001", "--year", "2025", "-o", str(template)
    )
    filled = tmp_path / "rempli.xlsx"
    filled.write_bytes(edit(template.read_bytes(), "Services", {(5, "Mode de gestion"): "regie"}))
    call_command("inventory", "import", str(filled))
    assert "1 ligne(s) créée(s)" in capsys.readouterr().out
    assert ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()
    call_command(
        "inventory", "import", str(filled), "--pooling-body", "200000001", "--year", "2025"
    )
    assert "ne change rien" in capsys.readouterr().out
    assert ImportLog.objects.count() == 1


def test_import_with_errors_lists_them_on_stderr_and_exits_2(inventory, tmp_path, capsys):
    template = tmp_path / "modele.xlsx"
    call_command(
        "inventory", "export", "--pooling-body", "200000001", "--year", "2025", "-o", str(template)
    )
    bad = tmp_path / "faux.xlsx"
    bad.write_bytes(
        edit(
            template.read_bytes(),
            "Services",
            {
                (5, "Mode de gestion"): "regie",
                (5, "Volume d'activité"): -2,
                (6, "Code domaine"): "inconnu",
            },
        )
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("inventory", "import", str(bad))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "2 erreur(s) : rien n'a été enregistré." in err
    assert "Feuille « Services », ligne 5, colonne « Volume d'activité »" in err
    assert "Feuille « Services », ligne 6, colonne « Code domaine »" in err
    assert not ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()


def test_import_of_a_non_xlsx_file_exits_2(inventory, tmp_path, capsys):
    text = tmp_path / "notes.csv"
    text.write_text("Code membre;ETP\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("inventory", "import", str(text))
    assert exit_info.value.code == 2
    assert "n'est pas un classeur Excel" in capsys.readouterr().err


def test_report_delegates_to_the_diagnostic_report(inventory, tmp_path, monkeypatch):
    from mutualis.inventory import report

    written = []
    monkeypatch.setattr(
        report, "write_report", lambda campaign, path: written.append((campaign, path))
    )
    output = tmp_path / "rapport.pdf"
    call_command(
        "inventory", "report", "--pooling-body", "200000001", "--year", "2025", "-o", str(output)
    )
    assert written == [(inventory.campaign, output)]


def test_dry_run_previews_deletions_need_allow_delete_and_undo_reverts(inventory, tmp_path, capsys):
    from mutualis.inventory.models import Contract

    template = tmp_path / "modele.xlsx"
    call_command(
        "inventory", "export", "--pooling-body", "200000001", "--year", "2025", "-o", str(template)
    )
    filled = tmp_path / "rempli.xlsx"
    filled.write_bytes(
        edit(
            template.read_bytes(),
            "Contrats",
            {
                (3, "Code membre"): None,
                (3, "Fournisseur"): None,
                (3, "Produit ou objet"): None,
                (3, "Type"): None,
                (3, "Coût annuel (€)"): None,
                (3, "Début"): None,
                (3, "Code domaine"): None,
                (3, "Membre"): None,
                (3, "Fin"): None,
                (3, "Préavis (mois)"): None,
            },
        )
    )
    call_command("inventory", "import", str(filled), "--dry-run")
    assert "1 à supprimer" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        call_command("inventory", "import", str(filled))
    assert exit_info.value.code == 2
    assert "--allow-delete" in capsys.readouterr().err
    assert Contract.objects.exists()
    call_command("inventory", "import", str(filled), "--allow-delete")
    assert not Contract.objects.exists()
    call_command("inventory", "undo", "--pooling-body", "200000001", "--year", "2025")
    assert Contract.objects.exists()
