"""`mutualis refdata load [--path FILE]` and `mutualis refdata show SIREN`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.refdata.dataset import DatasetError, read_dataset
from mutualis.refdata.models import Commune, Epci
from mutualis.refdata.services import UnknownEpci, epci_members, get_epci, sync_refdata


def _number(value: int | None) -> str:
    # French thousands separator: narrow no-break space.
    return "—" if value is None else f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = "Référentiel géographique (communes et EPCI du COG) : chargement et consultation."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="Charge ou met à jour le référentiel en base.")
        load.add_argument("--path", type=Path, help="Fichier .json.gz (par défaut : COG 2026).")
        show = actions.add_parser("show", help="Affiche un EPCI et ses communes membres.")
        show.add_argument("siren", help="SIREN de l'EPCI (9 chiffres).")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "load":
            self.load(options.get("path"))
        else:
            self.show(options["siren"])

    def load(self, path: Path | None) -> None:
        try:
            dataset = read_dataset(path) if path else read_dataset()
        except (DatasetError, OSError, ValueError) as exc:
            raise CommandError(f"Lecture du référentiel impossible : {exc}") from exc
        result = sync_refdata(dataset)
        version = result.version
        self.stdout.write(
            f"Référentiel {version.vintage} ({version.source}) : "
            f"{_number(version.commune_count)} communes, {_number(version.epci_count)} EPCI."
        )
        if result.changed:
            self.stdout.write(
                f"{_number(result.created)} lignes créées, {_number(result.updated)} mises à jour, "
                f"{_number(result.deleted)} supprimées."
            )
        else:
            self.stdout.write("Déjà à jour : aucune modification.")

    def show(self, siren: str) -> None:
        try:
            epci: Epci = get_epci(siren)
            members: list[Commune] = epci_members(epci.siren)
        except UnknownEpci as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{epci.name} — SIREN {epci.siren}")
        self.stdout.write(
            f"{epci.get_kind_display()}, régime fiscal {epci.fiscal_regime}, "
            f"population municipale {_number(epci.population_municipale)}, "
            f"population totale {_number(epci.population_totale)}"
        )
        self.stdout.write(f"{len(members)} communes membres :")
        for commune in members:
            self.stdout.write(
                f"  {commune.insee_code}  {commune.name}  "
                f"(population totale {_number(commune.population_totale)})"
            )
