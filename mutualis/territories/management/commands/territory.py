from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.refdata.services import UnknownEpci
from mutualis.territories.services import TerritoryError, create_pooling_body_from_epci


class Command(BaseCommand):
    help = "Crée une structure porteuse (mutualis territory create --epci SIREN)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer une structure à partir d'un EPCI.")
        create.add_argument("--epci", required=True, help="SIREN de l'EPCI (9 chiffres).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            body = create_pooling_body_from_epci(options["epci"])
        except (UnknownEpci, TerritoryError) as exc:
            raise CommandError(str(exc)) from exc
        count = body.members.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{body.name} (SIREN {body.siren}) créée : {count} communes membres."
            )
        )
