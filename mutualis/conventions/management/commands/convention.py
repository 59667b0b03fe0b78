"""`mutualis convention draft|render|list|alerts`: conventions from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn, overload

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mutualis.conventions import documents
from mutualis.conventions.alerts import run_daily_alerts
from mutualis.conventions.models import Convention, ConventionVersion
from mutualis.conventions.prefill import draft_from_snapshot
from mutualis.conventions.queries import current_version, ending_within
from mutualis.conventions.services import ConventionError
from mutualis.scenarios.models import ScenarioSnapshot
from mutualis.territories.models import PoolingBody

EXIT_INVALID = 2
RENDER_FORMATS = ("docx", "odt", "pdf", "annex-xlsx")


class Command(BaseCommand):
    help = "Conventions : projet depuis un scénario, documents, liste et alertes d'échéance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        draft = sub.add_parser("draft", help="Rédiger un projet depuis un instantané de scénario.")
        draft.add_argument("--scenario", required=True, help="Identifiant de l'instantané.")
        render = sub.add_parser("render", help="Écrire un document de la convention.")
        render.add_argument("id", help="Identifiant de la convention.")
        render.add_argument("--format", required=True, help="docx, odt, pdf ou annex-xlsx.")
        render.add_argument(
            "--version", dest="number", help="Numéro de version (défaut : la dernière)."
        )
        render.add_argument("-o", "--output", required=True, help="Fichier à écrire.")
        listing = sub.add_parser("list", help="Lister les conventions d'une structure.")
        listing.add_argument("--pooling-body", required=True, help="SIREN de la structure.")
        listing.add_argument(
            "--ending-within", help="Seulement celles dont le préavis ou la fin tombe dans N jours."
        )
        alerts = sub.add_parser("alerts", help="Tâche quotidienne : statuts et courriels d'alerte.")
        alerts.add_argument(
            "--days", help="Délai d'alerte en jours (défaut : CONVENTION_ALERT_DAYS)."
        )

    def fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(EXIT_INVALID)

    @overload
    def integer(self, value: str, label: str) -> int: ...
    @overload
    def integer(self, value: str | None, label: str) -> int | None: ...
    def integer(self, value: str | None, label: str) -> int | None:
        if value is None:
            return None
        if not value.isdigit():
            self.fail(f"{label} doit être un entier positif (reçu : « {value} »).")
        return int(value)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _draft(self, options: dict[str, Any]) -> None:
        pk = self.integer(options["scenario"], "--scenario")
        snapshot = (
            ScenarioSnapshot.objects.select_related("scenario__pooling_body").filter(pk=pk).first()
        )
        if snapshot is None:
            self.fail(f"Aucun instantané de scénario n° {pk}.")
        try:
            convention = draft_from_snapshot(snapshot)
        except ConventionError as exc:
            self.fail(
                "Projet refusé, rien n'a été enregistré :\n"
                + "\n".join(f"  {p.message}" for p in exc.problems)
            )
        self.stdout.write(str(convention.pk))

    def _render(self, options: dict[str, Any]) -> None:
        fmt = options["format"]
        if fmt not in RENDER_FORMATS:
            self.fail(f"Format « {fmt} » inconnu : choisissez parmi {', '.join(RENDER_FORMATS)}.")
        pk = self.integer(options["id"], "L'identifiant de la convention")
        convention = Convention.objects.select_related("pooling_body").filter(pk=pk).first()
        if convention is None:
            self.fail(f"Aucune convention n° {pk}.")
        number = self.integer(options["number"], "--version")
        version: ConventionVersion | None
        if number is None:
            version = current_version(convention)
        else:
            version = convention.versions.filter(number=number).first()
            if version is None:
                self.fail(f"La convention n° {pk} n'a pas de version {number}.")
            version.convention = convention
        output = Path(options["output"])
        if not output.parent.is_dir():
            self.fail(f"Dossier introuvable : {output.parent}")
        data = documents.document_data(version)
        try:
            if fmt == "annex-xlsx":
                content = documents.render_annex(data, "xlsx")
            else:
                content = documents.render_convention(data, fmt)
        except documents.TemplateRenderError as exc:
            self.fail(f"Le modèle de la structure ne peut pas être rendu : {exc}")
        output.write_bytes(content)
        sample = " (données fictives de démonstration)" if convention.is_sample else ""
        self.stdout.write(self.style.SUCCESS(f"Document écrit : {output}{sample}"))

    def _list(self, options: dict[str, Any]) -> None:
        siren = options["pooling_body"]
        body = PoolingBody.objects.filter(siren=siren).first() if siren else None
        if body is None:
            self.fail(f"Aucune structure porteuse de SIREN « {siren} ».")
        days = self.integer(options["ending_within"], "--ending-within")
        conventions = Convention.objects.filter(pooling_body=body)
        today = timezone.localdate()
        if days is not None:
            for item in ending_within(conventions, today, days):
                v = item.version
                self.stdout.write(
                    f"{v.convention_id}\t{v.convention.title}\t{item.alert.label}\t"
                    f"{item.alert.on:%d/%m/%Y}\t{item.alert.days_left} j"
                )
            return
        latest: dict[int, ConventionVersion] = {}
        for version in ConventionVersion.objects.filter(convention__in=conventions).order_by(
            "number"
        ):
            latest[version.convention_id] = version
        for convention in conventions.order_by("pk"):
            v = latest[convention.pk]
            sample = "\tdonnées fictives" if convention.is_sample else ""
            self.stdout.write(
                f"{convention.pk}\t{convention.title}\t{convention.get_legal_form_display()}\t"
                f"{v.label}\t{v.get_status_display()}\t{v.start_on:%d/%m/%Y}\t{v.end_on:%d/%m/%Y}{sample}"
            )

    def _alerts(self, options: dict[str, Any]) -> None:
        days = self.integer(options["days"], "--days")
        run = run_daily_alerts(timezone.localdate(), days)
        self.stdout.write(
            f"{run.refreshed} statut(s) mis à jour, {run.alerts} échéance(s), "
            f"{run.mails} courriel(s) envoyé(s)."
        )
