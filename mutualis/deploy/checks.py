"""Deployment self-check: each check returns a row saying what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("Base de données", False, f"inaccessible : {exc}")
    return Check("Base de données", True, f"{connection.vendor} joignable")


def check_migrations() -> Check:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Check("Migrations", False, f"impossible de lire l'état : {exc}")
    if plan:
        return Check("Migrations", False, f"{len(plan)} à appliquer : lancez « mutualis migrate »")
    return Check("Migrations", True, "toutes appliquées")


def check_secret_key() -> Check:
    if settings.DEBUG:
        return Check("Clé secrète", True, "mode développement (DEBUG)")
    if settings.SECRET_KEY == settings.INSECURE_KEY or len(settings.SECRET_KEY) < 32:
        return Check("Clé secrète", False, "SECRET_KEY absente ou trop courte (32 caractères min.)")
    return Check("Clé secrète", True, "définie")


def check_static_files() -> Check:
    name = "mutualis/app.css"
    if settings.DEBUG:
        found = finders.find(name)
        return Check("Fichiers statiques", bool(found), "servis depuis les sources")
    try:
        path = staticfiles_storage.path(staticfiles_storage.stored_name(name))
    except ValueError:
        return Check(
            "Fichiers statiques", False, "non collectés : lancez « mutualis collectstatic »"
        )
    return Check("Fichiers statiques", True, f"collectés ({path})")


def check_vendor_assets() -> Check:
    found = finders.find("vendor/htmx/htmx.min.js")
    if not found:
        return Check("Ressources front-end", False, "htmx absent : lancez « npm ci »")
    return Check("Ressources front-end", True, "installées par npm")


def check_refdata() -> Check:
    from mutualis.refdata.services import current_version

    try:
        version = current_version()
    except DatabaseError:
        return Check("Référentiel géographique", False, "tables absentes")
    if version is None:
        return Check("Référentiel géographique", False, "non chargé : « mutualis refdata load »")
    return Check("Référentiel géographique", True, f"{version.vintage}")


ALL_CHECKS = (
    check_database,
    check_migrations,
    check_secret_key,
    check_static_files,
    check_vendor_assets,
    check_refdata,
)


def run_checks() -> list[Check]:
    results = [check_database()]
    if not results[0].ok:
        return results
    return results + [check() for check in ALL_CHECKS[1:]]
