"""`mutualis backup` then `mutualis restore` round-trip an instance (SQLite), end to end."""

from __future__ import annotations

import json
import os
import shutil
import tarfile

import pytest

from tests.deploy.test_commands import run_cli

COUNT_USERS = (
    "from django.contrib.auth.models import User; "
    "print(User.objects.filter(username='gardien').count())"
)


def _instance(path):  # type: ignore[no-untyped-def]
    return {"MUTUALIS_DATA_DIR": str(path), "DATABASE_URL": "", "SECRET_KEY": ""}


def test_backup_then_restore_round_trips_database_files_and_key(tmp_path):
    source, target, archive = tmp_path / "source", tmp_path / "cible", tmp_path / "sauv.tar.gz"
    env = _instance(source)
    assert run_cli("migrate", "--noinput", **env).returncode == 0
    created = run_cli(
        "createsuperuser",
        "--noinput",
        "--username",
        "gardien",
        "--email",
        "g@example.org",
        DJANGO_SUPERUSER_PASSWORD="une-phrase-de-passe-longue",
        **env,
    )
    assert created.returncode == 0, created.stderr
    (source / "media" / "jobs").mkdir(parents=True)
    (source / "media" / "jobs" / "rapport.pdf").write_bytes(b"%PDF-1.7 test")

    done = run_cli("backup", str(archive), **env)
    assert done.returncode == 0, done.stderr
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"] == "sqlite"
    assert {"database.sqlite3", "data/media/jobs/rapport.pdf", "data/secret_key"} <= set(
        manifest["files"]
    )
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())

    restored = run_cli("restore", str(archive), **_instance(target))
    assert restored.returncode == 0, restored.stderr
    assert run_cli("shell", "-c", COUNT_USERS, **_instance(target)).stdout.split()[-1] == "1"
    assert (target / "media" / "jobs" / "rapport.pdf").read_bytes() == b"%PDF-1.7 test"
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()

    again = run_cli("restore", str(archive), **_instance(target))
    assert again.returncode == 2
    assert "La base de destination n'est pas vide" in again.stderr


def test_restore_refuses_an_altered_or_foreign_archive(tmp_path):
    bad = tmp_path / "pas-une-archive.tar.gz"
    bad.write_bytes(b"bonjour")
    result = run_cli("restore", str(bad), **_instance(tmp_path / "vide"))
    assert result.returncode == 2
    assert "Impossible de lire l'archive" in result.stderr
    assert "Traceback" not in result.stderr

    altered = tmp_path / "alteree.tar.gz"
    with tarfile.open(altered, "w:gz") as tar:
        manifest = tmp_path / "manifest.json"
        manifest.write_text(
            json.dumps(
                {
                    "format": "mutualis-backup/1",
                    "created_at": "2026-01-01",
                    "database": "sqlite",
                    "files": {"database.sqlite3": {"sha256": "0" * 64, "size": 3}},
                }
            )
        )
        tar.add(manifest, arcname="manifest.json")
        (tmp_path / "db").write_bytes(b"abc")
        tar.add(tmp_path / "db", arcname="database.sqlite3")
    result = run_cli("restore", str(altered), **_instance(tmp_path / "vide2"))
    assert result.returncode == 2
    assert "Somme de contrôle incorrecte" in result.stderr


POSTGRES_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(
    not POSTGRES_URL.startswith("postgres") or shutil.which("pg_dump") is None,
    reason="PostgreSQL round trip: DATABASE_URL must point to PostgreSQL, pg_dump installed",
)
def test_backup_then_restore_round_trips_on_postgresql(tmp_path):
    import psycopg

    base = POSTGRES_URL.rsplit("/", 1)[0]
    names = [f"mutualis_sauvegarde_{os.getpid()}_{suffix}" for suffix in ("source", "cible")]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        source = {**_instance(tmp_path / "source"), "DATABASE_URL": f"{base}/{names[0]}"}
        target = {**_instance(tmp_path / "cible"), "DATABASE_URL": f"{base}/{names[1]}"}
        assert run_cli("migrate", "--noinput", **source).returncode == 0
        created = run_cli(
            "createsuperuser",
            "--noinput",
            "--username",
            "gardien",
            "--email",
            "g@example.org",
            DJANGO_SUPERUSER_PASSWORD="une-phrase-de-passe-longue",
            **source,
        )
        assert created.returncode == 0, created.stderr
        archive = tmp_path / "pg.tar.gz"
        done = run_cli("backup", str(archive), **source)
        assert done.returncode == 0, done.stderr
        restored = run_cli("restore", str(archive), **target)
        assert restored.returncode == 0, restored.stderr
        assert run_cli("shell", "-c", COUNT_USERS, **target).stdout.split()[-1] == "1"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
