"""`mutualis jobs cleanup`: delete the job files past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mutualis.jobs import services


class Command(BaseCommand):
    help = "Tâches de fond : « cleanup » supprime les fichiers dont la conservation a expiré."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("cleanup", help="Supprimer les fichiers expirés.")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = services.cleanup_expired()
        self.stdout.write(f"{removed} fichier(s) expiré(s) supprimé(s).")
