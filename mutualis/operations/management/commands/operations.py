"""`mutualis operations catalogue import|tariff|import-units|statements` (docs/operations.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutualis.engine.errors import EngineError
from mutualis.operations import analysis, documents, spreadsheets
from mutualis.operations.catalogue_import import import_catalogue
from mutualis.operations.models import Offer, SharedService, Statement, UnitEntry
from mutualis.operations.queries import population_of
from mutualis.operations.services import ImportRejected, OperationsError, offer_spec, record_units
from mutualis.territories.models import Member, PoolingBody

EXIT_INVALID = 2
FORMATS = ("json", "xlsx", "pdf", "titles-csv")


def _invalid(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_INVALID)


def _body(siren: str) -> PoolingBody:
    body = PoolingBody.objects.filter(siren=siren).first() if siren else None
    if body is None:
        raise _invalid(f"Aucune structure porteuse de SIREN « {siren} ».")
    return body


def _existing_file(name: str) -> Path:
    path = Path(name)
    if not path.is_file():
        raise _invalid(f"Fichier introuvable : {path}")
    return path


class FrenchParser(CommandParser):
    """Usage errors (unknown format, a population that is not a number…) in French, with
    exit code 2, as the other commands of the project (`mutualis reimburse`, games)."""

    def error(self, message: str) -> NoReturn:
        if not self.called_from_command_line:
            raise _invalid(f"Arguments invalides ({message}).")
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"Erreur : arguments invalides ({message}).\n")


class Command(BaseCommand):
    help = "Pilotage : catalogue, simulateur de tarif, import des unités, états de l'exercice."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a plain CommandParser; only `error` differs in FrenchParser.
        parser.__class__ = FrenchParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=FrenchParser)
        catalogue = sub.add_parser("catalogue", help="Catalogue des services numériques.")
        catalogue_sub = catalogue.add_subparsers(dest="catalogue_action", required=True)
        load = catalogue_sub.add_parser("import", help="Charger les offres d'un fichier JSON.")
        load.add_argument("file", help="Fichier JSON (format dans docs/operations.md).")
        load.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        tariff = sub.add_parser("tariff", help="Montant annuel d'une offre, avec son explication.")
        tariff.add_argument("--offer", required=True, help="Code de l'offre.")
        tariff.add_argument("--pooling-body", help="SIREN (si le code existe dans plusieurs).")
        tariff.add_argument("--population", type=int, help="Population (habitants).")
        tariff.add_argument("--users", type=int, default=0, help="Utilisateurs ou licences.")
        tariff.add_argument("--member", help="Code INSEE : population enregistrée du membre.")
        tariff.add_argument("--year", type=int, help="Année de la population du membre.")
        units = sub.add_parser("import-units", help="Importer les unités (tout ou rien).")
        units.add_argument("file", help="Fichier .xlsx ou .csv : code, mois, unites.")
        units.add_argument("--service", type=int, required=True, help="Identifiant du service.")
        units.add_argument("--year", type=int, required=True, help="Exercice.")
        units.add_argument("--dry-run", action="store_true", help="Vérifier sans enregistrer.")
        statements = sub.add_parser("statements", help="Écrire les états d'un exercice.")
        statements.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        statements.add_argument("--year", type=int, required=True, help="Exercice.")
        statements.add_argument("--format", choices=FORMATS, required=True)
        statements.add_argument("-o", "--output", required=True, help="Fichier à écrire.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "catalogue":
            self._catalogue(options)
        elif action == "tariff":
            self._tariff(options)
        elif action == "import-units":
            self._units(options)
        else:
            self._statements(options)

    def _fail(self, problems: Any) -> None:
        self.stderr.write(f"{len(problems)} erreur(s) : rien n'a été enregistré.")
        for problem in problems:
            self.stderr.write(f"  {problem}")
        sys.exit(EXIT_INVALID)

    def _catalogue(self, options: dict[str, Any]) -> None:
        body = _body(options["pooling_body"])
        text = _existing_file(options["file"]).read_text(encoding="utf-8")
        try:
            offers = import_catalogue(body, text)
        except ImportRejected as exc:
            self._fail(exc.problems)
        self.stdout.write(
            self.style.SUCCESS(f"{len(offers)} offre(s) chargée(s) pour {body.name}.")
        )

    def _tariff(self, options: dict[str, Any]) -> None:
        offers = Offer.objects.filter(code=options["offer"]).prefetch_related("bands")
        if options["pooling_body"]:
            offers = offers.filter(pooling_body__siren=options["pooling_body"])
        found = list(offers[:2])
        if not found:
            raise _invalid(f"Aucune offre de code « {options['offer']} ».")
        if len(found) > 1:
            raise _invalid("Plusieurs structures ont cette offre : précisez --pooling-body SIREN.")
        offer = found[0]
        population, source = options["population"], "population saisie"
        if options["member"]:
            if options["year"] is None:
                raise _invalid("Avec --member, précisez l'année (--year).")
            member = Member.objects.filter(
                pooling_body_id=offer.pooling_body_id, insee_code=options["member"]
            ).first()
            if member is None:
                raise _invalid(
                    f"Aucun membre de code INSEE « {options['member']} » dans la structure."
                )
            recorded = population_of(member, offer.population_key, options["year"])
            if recorded is None:
                raise _invalid(f"La population de {member.name} n'est pas renseignée.")
            population, source = recorded.value, recorded.source
        if population is None:
            raise _invalid("Précisez --population N ou --member INSEE --year Y.")
        if population < 0 or options["users"] < 0:
            raise _invalid("La population et les utilisateurs ne peuvent pas être négatifs.")
        try:
            result = analysis.price(offer_spec(offer), population, options["users"], source)
        except EngineError as exc:
            raise _invalid(str(exc)) from exc
        self.stdout.write(result.explain().text())

    def _units(self, options: dict[str, Any]) -> None:
        path = _existing_file(options["file"])
        service = SharedService.objects.filter(pk=options["service"]).first()
        if service is None:
            raise _invalid(f"Aucun service d'identifiant {options['service']}.")
        rows, read_problems = spreadsheets.read_units(path.name, path.read_bytes())
        try:
            result = record_units(
                service,
                options["year"],
                rows,
                origin=UnitEntry.Origin.IMPORT,
                dry_run=options["dry_run"],
                read_problems=read_problems,
            )
        except ImportRejected as exc:
            self._fail(exc.problems)
        except OperationsError as exc:
            raise _invalid(str(exc)) from exc
        if options["dry_run"]:
            self.stdout.write(
                f"Vérification réussie : {len(result.preview)} ligne(s), rien n'a été enregistré."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Unités importées : {result.created} créée(s), "
                    f"{result.updated} mise(s) à jour."
                )
            )

    def _statements(self, options: dict[str, Any]) -> None:
        body = _body(options["pooling_body"])
        statements = documents.with_lines(
            Statement.objects.filter(pooling_body=body, year=options["year"])
        )
        output = Path(options["output"])
        fmt = options["format"]
        if fmt == "json":
            payload = [
                {
                    "number": s.number,
                    "member": s.member.name,
                    "code": s.member.code,
                    "kind": s.kind,
                    "status": s.status,
                    "period": s.period_label,
                    "total": str(s.total_amount),
                    "corrects": s.corrects.number if s.corrects is not None else None,
                    "sample": s.is_sample,
                    "lines": [
                        {
                            "label": line.label,
                            "formula": line.formula,
                            "amount": str(line.amount),
                            "explanation": line.explanation,
                        }
                        for line in s.lines.all()
                    ],
                }
                for s in statements
            ]
            output.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        elif fmt == "xlsx":
            output.write_bytes(documents.statements_xlsx(statements))
        elif fmt == "pdf":
            output.write_bytes(
                documents.statements_pdf(
                    statements,
                    f"États {options['year']} — {body.name}",
                    on_progress=lambda percent, message: self.stderr.write(
                        f"{percent:3d} % {message}"
                    ),
                )
            )
        else:
            output.write_bytes(
                documents.titles_csv(statements.filter(status=Statement.Status.ISSUED))
            )
        self.stdout.write(self.style.SUCCESS(f"Fichier écrit : {output}"))
