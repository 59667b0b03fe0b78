from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.deploy.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Sauvegarde l'instance (base, fichiers du dossier de données, manifeste) dans FICHIER."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Archive à écrire, par exemple mutualis-2026-01-31.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["file"])
        if not archive.parent.is_dir():
            raise CommandError(f"Dossier « {archive.parent} » introuvable.", returncode=2)
        try:
            manifest = write_backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"Sauvegarde écrite : {archive} ({manifest.vendor}, {len(manifest.files)} fichier(s))."
        )
