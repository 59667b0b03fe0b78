from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from mutualis.accounts.models import Role
from mutualis.deploy.checks import check_secret_key, run_checks
from mutualis.territories.models import MemberAttribute, PoolingBody


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mutualis.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_production_refuses_a_short_secret_key():
    result = run_cli("selfcheck", DEBUG="false", SECRET_KEY="trop-courte")
    assert result.returncode != 0
    assert "SECRET_KEY trop courte" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_bad_boolean_setting_fails_at_startup_in_french():
    result = run_cli("selfcheck", DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG doit valoir true ou false" in result.stderr


def test_cli_forwards_unknown_subcommands_to_django(tmp_path):
    database = f"sqlite:///{tmp_path / 'vide.sqlite3'}"
    result = run_cli("showmigrations", "territories", "--plan", DATABASE_URL=database)
    assert result.returncode == 0, result.stderr
    assert "territories.0001_initial" in result.stdout


def test_cli_honours_database_url(tmp_path):
    database = tmp_path / "autre.sqlite3"
    result = run_cli("migrate", "--noinput", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert database.stat().st_size > 0


@pytest.mark.django_db
def test_selfcheck_reports_missing_refdata_and_fails():
    out = StringIO()
    with pytest.raises(CommandError, match="vérification"):
        call_command("selfcheck", stdout=out)
    assert "Référentiel géographique : non chargé" in out.getvalue()
    assert "Migrations : toutes appliquées" in out.getvalue()


def test_secret_key_check_wants_a_long_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "court"
    assert not check_secret_key().ok
    settings.SECRET_KEY = "x" * 50
    assert check_secret_key().ok


@pytest.mark.django_db
def test_demo_prepares_the_territory_once_with_sample_data_flagged():
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    call_command("demo", no_serve=True, stdout=StringIO())
    body = PoolingBody.objects.get(siren="200039063")
    assert body.members.count() == 25
    assert body.members.aggregate(p=Sum("population_municipale"))["p"] == 7054
    assert set(Role.objects.filter(pooling_body=body).values_list("user__username", flat=True)) == {
        "coordination",
        "finances",
        "elu",
        "referent",
    }
    referent = Role.objects.get(name=Role.Name.REFERENT)
    assert referent.member.insee_code == "21573"
    sample = MemberAttribute.objects.filter(member__pooling_body=body)
    assert sample.exists() and not sample.filter(is_sample=False).exists()
    assert "identifiant « coordination »" in out.getvalue()
    assert "Référent·e communal·e de Saint-Seine-l'Abbaye (referent@example.org)" in out.getvalue()
    assert "Campagne d'exemple : État des lieux 2025 (données fictives)" in out.getvalue()
    assert referent.user.email == "referent@example.org"
    assert all(check.ok for check in run_checks() if check.label != "Clé secrète")


def test_default_sqlite_database_is_created_in_a_fresh_data_dir(tmp_path):
    data_dir = tmp_path / "neuf" / "donnees"
    env = {"MUTUALIS_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    result = run_cli("migrate", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    assert (data_dir / "mutualis.sqlite3").stat().st_size > 0
