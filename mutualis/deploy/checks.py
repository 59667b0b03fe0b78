"""Deployment self-check: each check returns a row saying what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Check:
    """One line of `mutualis check`: failed (`ok` false), a warning, or fine."""

    label: str
    ok: bool
    detail: str
    warning: bool = False


def is_production() -> bool:
    """DEBUG off and reachable from other machines: what a real deployment looks like."""
    return not settings.DEBUG and not settings.LOCAL_ONLY


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
    if len(settings.SECRET_KEY) < 32:
        return Check("Clé secrète", False, "SECRET_KEY trop courte (32 caractères min.)")
    return Check("Clé secrète", True, "définie")


def check_allowed_hosts() -> Check:
    hosts = settings.ALLOWED_HOSTS
    if not hosts:
        return Check(
            "Noms d'hôte",
            False,
            "ALLOWED_HOSTS est vide : aucune requête ne sera servie ; "
            "indiquez le nom du site (ex. mutualis.exemple.fr)",
        )
    if "*" in hosts:
        return Check(
            "Noms d'hôte",
            True,
            "ALLOWED_HOSTS accepte tout nom (« * ») : nommez le site",
            warning=True,
        )
    if settings.LOCAL_ONLY and not settings.DEBUG:
        return Check(
            "Noms d'hôte",
            True,
            f"{', '.join(hosts)} : accessible depuis cette machine seulement ; "
            "en production, indiquez le nom du site dans ALLOWED_HOSTS",
            warning=True,
        )
    return Check("Noms d'hôte", True, ", ".join(hosts))


def check_database_engine() -> Check:
    if connection.vendor == "sqlite" and is_production():
        return Check(
            "Moteur de base",
            True,
            "SQLite en production : convient à une petite installation ; "
            "PostgreSQL (DATABASE_URL) est recommandé",
            warning=True,
        )
    return Check("Moteur de base", True, connection.vendor)


def check_static_files() -> Check:
    name = "mutualis/app.css"
    if settings.DEBUG:
        found = finders.find(name)
        return Check("Fichiers statiques", bool(found), "servis depuis les sources")
    try:
        # Outside DEBUG the settings choose a manifest storage, which knows stored names.
        storage = cast(ManifestStaticFilesStorage, staticfiles_storage)
        path = storage.path(storage.stored_name(name))
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


def check_worker() -> Check:
    from mutualis.jobs.queries import worker_alive

    try:
        alive = worker_alive()
    except DatabaseError:
        return Check(
            "Tâches de fond",
            True,
            "état inconnu : la base n'est pas prête (lancez « mutualis migrate »)",
            warning=True,
        )
    if alive:
        return Check("Tâches de fond", True, "un processus « mutualis worker » est actif")
    return Check(
        "Tâches de fond",
        True,
        "aucun processus « mutualis worker » actif : les exports attendront ; "
        "lancez « mutualis serve » ou « mutualis worker »",
        warning=True,
    )


def deployment_checks() -> list[Check]:
    """Django's own deployment checks (`check --deploy`), one row each."""
    from django.core import checks

    rows = []
    for message in checks.run_checks(include_deployment_checks=True):
        if message.level < checks.WARNING or message.is_silenced():
            continue
        text = str(message.msg).replace("\n", " ")
        rows.append(
            Check(
                f"Django {message.id}",
                message.level < checks.ERROR,
                text,
                warning=message.level < checks.ERROR,
            )
        )
    if not rows:
        rows.append(Check("Django (déploiement)", True, "aucune remarque"))
    return rows


ALL_CHECKS = (
    check_database,
    check_migrations,
    check_database_engine,
    check_secret_key,
    check_allowed_hosts,
    check_static_files,
    check_vendor_assets,
    check_refdata,
    check_worker,
)


def run_checks(deploy: bool = False) -> list[Check]:
    results = [check_database()]
    if not results[0].ok:
        return results
    results += [check() for check in ALL_CHECKS[1:]]
    if deploy:
        results += deployment_checks()
    return results
