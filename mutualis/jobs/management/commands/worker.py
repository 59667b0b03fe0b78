"""`mutualis worker`: django-tasks' database worker, with a heartbeat and file cleanup."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from mutualis.jobs import services

logger = logging.getLogger(__name__)
CLEANUP_EVERY_BEATS = 240  # about once an hour at the default 15 s heartbeat


class Heartbeat(threading.Thread):
    """Records the worker's heartbeat (read by /healthz), drops expired job files and runs
    the daily tasks (`jobs.daily`) once a day.

    A thread only because the worker's loop offers no hook; it runs no queued job.
    """

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="mutualis-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        beats = 0
        while not self.stopped.is_set():
            try:
                services.beat(self.worker_id)
                if beats % CLEANUP_EVERY_BEATS == 0:
                    services.cleanup_expired()
                services.run_due_daily(timezone.now())
            except DatabaseError:
                logger.warning("heartbeat of worker %s not recorded", self.worker_id)
            finally:
                close_old_connections()
            beats += 1
            self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS)


class Command(DbWorkerCommand):
    help = "Exécute les tâches de fond (exports…) ; à lancer à côté du serveur web."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        heartbeat = Heartbeat(worker_id)
        if not options.get("batch"):
            heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
            if heartbeat.is_alive():
                heartbeat.join(timeout=5)
                services.forget_worker(worker_id)
