"""`mutualis inventory export|import|undo|report`: the inventory workbook from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.inventory.imports import ImportRejected, apply_import, preview_import, undo_import
from mutualis.inventory.models import Campaign, ImportLog
from mutualis.inventory.queries import campaign_members
from mutualis.inventory.services import InventoryError
from mutualis.inventory.workbook import export_workbook, read_campaign_key
from mutualis.sheets import group_problems

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
        load = sub.add_parser(
            "import", help="Importer un classeur rempli (tout ou rien, aperçu avec --dry-run)."
        )
        load.add_argument("file", help="Classeur .xlsx rempli.")
        load.add_argument("--pooling-body", help="SIREN (par défaut : feuille Paramètres).")
        load.add_argument("--year", type=int, help="Année (par défaut : feuille Paramètres).")
        load.add_argument(
            "--dry-run", action="store_true", help="Afficher l'aperçu sans rien enregistrer."
        )
        load.add_argument(
            "--allow-delete",
            action="store_true",
            help="Accepter les suppressions de lignes absentes du classeur.",
        )
        load.add_argument(
            "--overwrite",
            action="store_true",
            help="Écraser aussi les lignes modifiées dans Mutualis depuis l'export (conflits).",
        )
        undo = sub.add_parser("undo", help="Annuler le dernier import d'une campagne.")
        undo.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        undo.add_argument("--year", type=int, required=True, help="Année de référence.")
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
        elif action == "undo":
            self._undo(options)
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
        names = {m.pk: m.name for m in campaign_members(campaign)}
        try:
            if options["dry_run"]:
                plan = preview_import(
                    campaign, data, file_name=path.name, overwrite=options["overwrite"]
                )
                self.stdout.write("\n".join(plan.lines(names)))
                self.stdout.write("Aperçu seulement (--dry-run) : rien n'a été enregistré.")
                return
            result = apply_import(
                campaign,
                data,
                file_name=path.name,
                overwrite=options["overwrite"],
                allow_delete=options["allow_delete"],
            )
        except ImportRejected as exc:
            self._fail(exc.problems)
        plan = result.plan
        for line in plan.lines(names)[1:]:
            self.stdout.write(line)
        where = f"l'état des lieux {campaign.year} de {campaign.pooling_body.name}"
        if result.log is None:
            self.stdout.write(f"Le classeur ne change rien à {where} : rien n'a été enregistré.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Classeur importé dans {where} : {plan.count_create} ligne(s) créée(s), "
                f"{plan.count_update} modifiée(s), {plan.count_delete} supprimée(s) ; "
                f"{len(plan.conflicts)} conflit(s) laissé(s), {len(plan.refused)} refusée(s)."
            )
        )

    def _undo(self, options: dict[str, Any]) -> None:
        campaign = _campaign(options["pooling_body"], options["year"])
        log = (
            ImportLog.objects.filter(campaign=campaign, undone_at__isnull=True)
            .order_by("-at", "-pk")
            .first()
        )
        if log is None:
            self.stderr.write("Aucun import à annuler pour cette campagne.")
            sys.exit(EXIT_INVALID)
        try:
            undo_import(log, None)
        except InventoryError as exc:
            self.stderr.write(str(exc))
            sys.exit(EXIT_INVALID)
        self.stdout.write(self.style.SUCCESS(f"Import annulé : {log}."))

    def _fail(self, problems: Any) -> None:
        self.stderr.write(f"{len(problems)} erreur(s) : rien n'a été enregistré.")
        for group in group_problems(list(problems)):
            self.stderr.write(f"  {group}")
        sys.exit(EXIT_INVALID)

    def _report(self, options: dict[str, Any]) -> None:
        from mutualis.inventory.report import write_report  # written by the diagnostic app

        campaign = _campaign(options["pooling_body"], options["year"])
        output = Path(options["output"])
        if output.suffix.lower() not in {".pdf", ".xlsx"}:
            raise CommandError("Le rapport s'écrit en .pdf ou en .xlsx.")
        write_report(campaign, output)
        self.stdout.write(self.style.SUCCESS(f"Rapport écrit : {output}"))
