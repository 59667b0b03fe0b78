from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.deploy.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde de « mutualis backup » dans une instance vide."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Archive écrite par « mutualis backup ».")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_backup(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at']} restaurée ({len(manifest['files'])} "
            "fichier(s)). Lancez « mutualis migrate » si la version de Mutualis a changé."
        )
