from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.deploy.checks import run_checks


class Command(BaseCommand):
    help = (
        "Vérifie l'installation : base, migrations, clé secrète, noms d'hôte, fichiers "
        "statiques, tâches de fond ; --deploy ajoute les vérifications de déploiement de Django."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--deploy",
            action="store_true",
            help="Ajouter les vérifications de déploiement de Django (sécurité HTTPS, cookies…).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_checks(deploy=options["deploy"])
        for check in results:
            if not check.ok:
                mark = self.style.ERROR("KO ")
            elif check.warning:
                mark = self.style.WARNING("AVERTISSEMENT ")
            else:
                mark = self.style.SUCCESS("OK ")
            self.stdout.write(f"{mark} {check.label} : {check.detail}")
        failed = [c for c in results if not c.ok]
        if failed:
            raise CommandError(f"{len(failed)} vérification(s) en échec.", returncode=2)
        warnings = sum(c.warning for c in results)
        if warnings:
            self.stdout.write(
                self.style.WARNING(f"Installation utilisable, {warnings} avertissement(s).")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Installation prête."))
