from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from mutualis.deploy.demo import DEMO_PASSWORD, prepare_demo


class Command(BaseCommand):
    help = "Prépare la démonstration (CC Forêts, Seine et Suzon) puis démarre le serveur."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Préparer la base sans démarrer le serveur."
        )
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Adresse d'écoute.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        body, logins, campaign = prepare_demo()
        self.stdout.write(self.style.SUCCESS(f"Démonstration prête : {body.name}."))
        self.stdout.write(f"Adresse : http://{options['bind']}/")
        self.stdout.write(f"Mot de passe commun : {DEMO_PASSWORD}")
        for login in logins:
            commune = f" de {login.commune}" if login.commune else ""
            self.stdout.write(
                f"  identifiant « {login.username} » — {login.role}{commune} ({login.email})"
            )
        self.stdout.write(
            f"Campagne d'exemple : {campaign} (données fictives) — "
            f"http://{options['bind']}{reverse('inventory:campaign', args=[body.pk, campaign.pk])}"
        )
        if not options["no_serve"]:
            call_command("serve", bind=options["bind"])
