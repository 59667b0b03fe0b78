"""`mutualis serve`: gunicorn (threaded workers) and one background worker, together."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from mutualis.config.env import env_int


def gunicorn_argv(bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """Threaded workers (gthread): a slow client holds one thread, not a whole process."""
    return [
        "gunicorn",
        "--bind",
        bind,
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)),
        "--keep-alive",
        str(env_int("GUNICORN_KEEPALIVE", 5)),
        "--limit-request-line",
        "8190",
        "--limit-request-fields",
        "100",
        "--access-logfile",
        "-",
        "mutualis.config.wsgi:application",
    ]


class Command(BaseCommand):
    help = "Démarre le serveur web de Mutualis (gunicorn) et un processus de tâches de fond."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Adresse d'écoute.")
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("GUNICORN_WORKERS", 2),
            help="Nombre de processus web (GUNICORN_WORKERS, 2 par défaut).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("GUNICORN_THREADS", 8),
            help="Fils d'exécution par processus (GUNICORN_THREADS, 8 par défaut).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=env_int("GUNICORN_TIMEOUT", 60),
            help="Délai maximal d'une requête, en secondes (GUNICORN_TIMEOUT, 60 par défaut).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Ne pas lancer de processus de tâches de fond (il tourne ailleurs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.wsgiapp import WSGIApplication

        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "mutualis.cli", "worker", "--verbosity", "0"],
                env=os.environ.copy(),
            )
        self.stdout.write(f"Mutualis écoute sur http://{options['bind']}/ (Ctrl+C pour arrêter)")
        sys.argv = gunicorn_argv(
            options["bind"], options["workers"], options["threads"], options["timeout"]
        )
        try:
            WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
