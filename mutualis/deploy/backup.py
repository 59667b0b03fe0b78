"""`mutualis backup` and `mutualis restore`: a consistent snapshot of one instance.

The archive (.tar.gz) holds:
- `manifest.json`: format, date, Mutualis version, database vendor, and the SHA-256 and
  size of every other member;
- `database.sqlite3` (SQLite online backup API: consistent while the site runs) or
  `database.pgdump` (`pg_dump --format=custom`);
- `data/…`: the files of the data directory (uploaded and generated files under media/,
  the generated secret key), without the database itself nor collected static files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = "mutualis-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
DATA_PREFIX = "data/"


class BackupError(Exception):
    """A French message for the administrator; the command exits 2."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    files: dict[str, dict[str, Any]]  # member name -> {"sha256", "size"}

    def as_json(self) -> bytes:
        from importlib.metadata import version

        return json.dumps(
            {
                "format": FORMAT,
                "created_at": self.created_at,
                "mutualis_version": version("mutualis"),
                "database": self.vendor,
                "files": self.files,
            },
            indent=2,
            ensure_ascii=False,
        ).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"], "--no-owner", "--no-privileges"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_database(target: Path) -> str:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
        return SQLITE_MEMBER
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        command = ["pg_dump", "--format=custom", "--file", str(target), *args]
        try:
            subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
        except FileNotFoundError as exc:
            raise BackupError("pg_dump est introuvable : installez le client PostgreSQL.") from exc
        except subprocess.CalledProcessError as exc:
            raise BackupError(f"pg_dump a échoué : {exc.stderr.decode().strip()}") from exc
        return POSTGRES_MEMBER
    raise BackupError(f"Base « {connection.vendor} » non prise en charge par la sauvegarde.")


def _data_files() -> list[Path]:
    data_dir = Path(settings.DATA_DIR)
    database = Path(str(settings.DATABASES["default"]["NAME"])).resolve()
    skipped = {Path(settings.STATIC_ROOT).resolve(), data_dir / "test"}
    files = []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file() or path.resolve().name.startswith(database.name):
            continue  # the database (and its -wal/-shm) goes through the backup API
        if any(parent in skipped for parent in path.resolve().parents):
            continue
        files.append(path)
    return files


def write_backup(archive: Path) -> Manifest:
    """Write the snapshot of this instance to `archive` (.tar.gz)."""
    data_dir = Path(settings.DATA_DIR)
    files: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="mutualis-backup-") as scratch:
        dump = Path(scratch) / "database"
        member = _dump_database(dump)
        entries = [(member, dump)] + [
            (DATA_PREFIX + path.relative_to(data_dir).as_posix(), path) for path in _data_files()
        ]
        for name, path in entries:
            files[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
        manifest = Manifest(timezone.now().isoformat(), connection.vendor, files)
        partial = archive.with_name(archive.name + ".partiel")
        with tarfile.open(partial, "w:gz") as tar:
            payload = manifest.as_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(payload))
            for name, path in entries:
                tar.add(path, arcname=name, recursive=False)
        partial.replace(archive)
    return manifest


# --- restore -----------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError) as exc:
        raise BackupError("Archive invalide : manifest.json absent ou illisible.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Archive invalide : format attendu « {FORMAT} ».")
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _instance_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore_backup(archive: Path) -> dict[str, Any]:
    """Restore `archive` into this instance, which must be empty; checksums checked first."""
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Impossible de lire l'archive « {archive} » : {exc}.") from exc
    with tar, tempfile.TemporaryDirectory(prefix="mutualis-restore-") as scratch:
        manifest = _read_manifest(tar)
        files = manifest.get("files") or {}
        if manifest.get("database") != connection.vendor:
            raise BackupError(
                f"Cette sauvegarde vient d'une base {manifest.get('database')} ; "
                f"l'instance utilise {connection.vendor}."
            )
        extracted: dict[str, Path] = {}
        for name, expected in files.items():
            if not _safe_member(name):
                raise BackupError(f"Archive invalide : chemin « {name} » refusé.")
            try:
                member = tar.getmember(name)
                source = tar.extractfile(member)
            except KeyError as exc:
                raise BackupError(f"Archive incomplète : « {name} » manque.") from exc
            if source is None:
                raise BackupError(f"Archive invalide : « {name} » n'est pas un fichier.")
            target = Path(scratch) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                shutil.copyfileobj(source, out)
            if _sha256(target) != expected.get("sha256"):
                raise BackupError(
                    f"Somme de contrôle incorrecte pour « {name} » : archive altérée."
                )
            extracted[name] = target
        if not _instance_is_empty():
            raise BackupError(
                "La base de destination n'est pas vide : la restauration se fait dans une "
                "instance neuve (nouvelle base, MUTUALIS_DATA_DIR vide)."
            )
        _restore_database(extracted)
        data_dir = Path(settings.DATA_DIR)
        for name, path in extracted.items():
            if name.startswith(DATA_PREFIX):
                target = data_dir / name.removeprefix(DATA_PREFIX)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                if target.name == "secret_key":
                    target.chmod(0o600)
    return manifest


def _restore_database(extracted: dict[str, Path]) -> None:
    connection.close()
    if connection.vendor == "sqlite":
        dump = extracted.get(SQLITE_MEMBER)
        if dump is None:
            raise BackupError("Archive incomplète : la base SQLite manque.")
        source = sqlite3.connect(dump)
        destination = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    dump = extracted.get(POSTGRES_MEMBER)
    if dump is None:
        raise BackupError("Archive incomplète : la sauvegarde PostgreSQL manque.")
    args, env = _pg_env()
    command = ["pg_restore", "--exit-on-error", *args, str(dump)]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError("pg_restore est introuvable : installez le client PostgreSQL.") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_restore a échoué : {exc.stderr.decode().strip()}") from exc
