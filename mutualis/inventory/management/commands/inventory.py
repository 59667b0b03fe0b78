"""`mutualis inventory export|import|report`: the inventory workbook from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.inventory.models import Campaign
from mutualis.inventory.services import ImportRejected, import_workbook
from mutualis.inventory.workbook import export_workbook, read_campaign_key

EXIT_INVALID = 2


def _campaign(siren: str, year: int | None) -> Campaign:
    if not siren or year is None:
        raise CommandError("Précisez la structure (--pooling-body SIREN) et l'année (--year).")
    campaign = (
        Campaign.objects.filter(pooling_body__siren=siren, year=year)
        .select_related("pooling_body")
        .first()
    )
    if campaign is None:
        raise CommandError(f"Aucune campagne {year} pour la structure de SIREN {siren}.")
    return campaign


class Command(BaseCommand):
    help = (
        "État des lieux : exporter le classeur pré-rempli, importer un classeur rempli, "
        "produire le rapport de diagnostic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Écrire le classeur pré-rempli d'une campagne.")
        export.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        export.add_argument("--year", type=int, required=True, help="Année de référence.")
        export.add_argument("-o", "--output", required=True, help="Fichier .xlsx à écrire.")
        load = sub.add_parser("import", help="Importer un classeur rempli (tout ou rien).")
        load.add_argument("file", help="Classeur .xlsx rempli.")
        load.add_argument("--pooling-body", help="SIREN (par défaut : feuille Paramètres).")
        load.add_argument("--year", type=int, help="Année (par défaut : feuille Paramètres).")
        report = sub.add_parser("report", help="Écrire le rapport de diagnostic (PDF ou Excel).")
        report.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        report.add_argument("--year", type=int, required=True, help="Année de référence.")
        report.add_argument("-o", "--output", required=True, help="Fichier .pdf ou .xlsx.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self._export(options)
        elif action == "import":
            self._import(options)
        else:
            self._report(options)

    def _export(self, options: dict[str, Any]) -> None:
        campaign = _campaign(options["pooling_body"], options["year"])
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("Le fichier de sortie doit porter l'extension .xlsx.")
        output.write_bytes(export_workbook(campaign))
        sample = " (données fictives de démonstration)" if campaign.is_sample else ""
        self.stdout.write(self.style.SUCCESS(f"Classeur écrit : {output}{sample}"))

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        data = path.read_bytes()
        siren, year = options["pooling_body"], options["year"]
        if not siren or year is None:
            file_siren, file_year, problems = read_campaign_key(data, path.name)
            if problems:
                self._fail(problems)
            siren, year = siren or file_siren, year if year is not None else file_year
        campaign = _campaign(siren, year)
        try:
            log = import_workbook(campaign, data, file_name=path.name)
        except ImportRejected as exc:
            self._fail(exc.problems)
        self.stdout.write(
            self.style.SUCCESS(
                f"Classeur importé dans l'état des lieux {campaign.year} de "
                f"{campaign.pooling_body.name} : {log.created_count} ligne(s) créée(s), "
                f"{log.updated_count} modifiée(s), {log.deleted_count} supprimée(s)."
            )
        )

    def _fail(self, problems: Any) -> None:
        self.stderr.write(f"{len(problems)} erreur(s) : rien n'a été enregistré.")
        for problem in problems:
            self.stderr.write(f"  {problem}")
        sys.exit(EXIT_INVALID)

    def _report(self, options: dict[str, Any]) -> None:
        from mutualis.inventory.report import write_report  # written by the diagnostic app

        campaign = _campaign(options["pooling_body"], options["year"])
        output = Path(options["output"])
        if output.suffix.lower() not in {".pdf", ".xlsx"}:
            raise CommandError("Le rapport s'écrit en .pdf ou en .xlsx.")
        write_report(campaign, output)
        self.stdout.write(self.style.SUCCESS(f"Rapport écrit : {output}"))
