from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mutualis.deploy.checks import run_checks


class Command(BaseCommand):
    help = "Vérifie l'installation : base, migrations, clé secrète, fichiers statiques."

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_checks()
        for check in results:
            mark = self.style.SUCCESS("OK ") if check.ok else self.style.ERROR("KO ")
            self.stdout.write(f"{mark} {check.label} : {check.detail}")
        failed = [c for c in results if not c.ok]
        if failed:
            raise CommandError(f"{len(failed)} vérification(s) en échec.")
        self.stdout.write(self.style.SUCCESS("Installation prête."))
