"""`mutualis scenario import|report|list`: scenarios from the command line (docs/scenarios.md).

Bad input (unreadable or invalid JSON document, unknown pooling body or scenario): a French
message on stderr, nothing stored, exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mutualis.engine.errors import EngineError
from mutualis.scenarios import documents, queries
from mutualis.scenarios.models import Scenario
from mutualis.scenarios.services import ScenarioRejected, import_scenario
from mutualis.territories.models import PoolingBody

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Scénarios : importer un document JSON, écrire les résultats, lister les scénarios."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Créer un scénario depuis un document JSON.")
        load.add_argument("file", help="Document JSON (voir docs/scenarios.md).")
        load.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        report = sub.add_parser("report", help="Écrire les résultats d'un scénario.")
        report.add_argument("id", type=int, help="Identifiant du scénario.")
        report.add_argument("--format", choices=documents.FORMATS, default="json")
        report.add_argument("-o", "--output", required=True, help="Fichier à écrire.")
        listing = sub.add_parser("list", help="Lister les scénarios d'une structure.")
        listing.add_argument("--pooling-body", required=True, help="SIREN de la structure.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "report":
            self._report(options)
        else:
            self._list(options)

    def _fail(self, *lines: str) -> NoReturn:
        for line in lines:
            self.stderr.write(line)
        sys.exit(EXIT_INVALID)

    def _body(self, siren: str) -> PoolingBody:
        body = PoolingBody.objects.filter(siren=siren).first()
        if body is None:
            self._fail(f"Aucune structure porteuse de SIREN {siren}.")
        return body

    def _import(self, options: dict[str, Any]) -> None:
        body = self._body(options["pooling_body"])
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self._fail(f"Impossible de lire le fichier « {path} » ({exc.strerror}).")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self._fail(f"JSON invalide dans « {path} » : {exc}.")
        try:
            scenario = import_scenario(body, data)
        except ScenarioRejected as exc:
            self._fail(
                f"{len(exc.problems)} erreur(s) : rien n'a été enregistré.",
                *(f"  {problem}" for problem in exc.problems),
            )
        self.stdout.write(
            self.style.SUCCESS(f"Scénario {scenario.pk} créé : {scenario.name} ({body.name}).")
        )

    def _report(self, options: dict[str, Any]) -> None:
        scenario = (
            Scenario.objects.filter(pk=options["id"])
            .select_related("pooling_body", "domain", "campaign")
            .first()
        )
        if scenario is None:
            self._fail(f"Aucun scénario d'identifiant {options['id']}.")
        output = Path(options["output"])
        try:
            documents.write_report(scenario, options["format"], output, on=timezone.localdate())
        except EngineError as exc:
            self._fail(f"Calcul impossible : {exc.message}")
        except OSError as exc:
            self._fail(f"Impossible d'écrire « {output} » ({exc.strerror}).")
        sample = " (données fictives de démonstration)" if scenario.is_sample else ""
        self.stdout.write(self.style.SUCCESS(f"Résultats écrits : {output}{sample}"))

    def _list(self, options: dict[str, Any]) -> None:
        body = self._body(options["pooling_body"])
        for scenario in queries.scenarios_for(body, published_only=False):
            sample = " [données fictives]" if scenario.is_sample else ""
            self.stdout.write(
                f"{scenario.pk}\t{scenario.get_status_display()}\t{scenario.domain.name}\t"
                f"{scenario.name}{sample}"
            )
