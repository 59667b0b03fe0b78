"""Verbs on background jobs: request, run (in the worker), retry, clean up, heartbeat."""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.jobs.daily import registered_daily
from mutualis.jobs.models import DailyRun, Job, WorkerHeartbeat
from mutualis.jobs.registry import JobFailed, JobKind, get_kind
from mutualis.territories.models import PoolingBody

logger = logging.getLogger(__name__)

GENERIC_FAILURE = _(
    "La préparation du fichier a échoué à cause d'une erreur inattendue ; rien n'a été "
    "perdu. Relancez-la ; si l'échec se répète, signalez-le à l'administrateur·rice."
)


def _enqueue(job: Job) -> None:
    from mutualis.jobs.tasks import run_job

    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


@transaction.atomic
def request_job(
    pooling_body: PoolingBody,
    kind: JobKind,
    user: User | None,
    params: dict[str, object] | None = None,
) -> Job:
    """Create a job of `kind` for `pooling_body` and queue it for the worker."""
    job = Job.objects.create(
        pooling_body=pooling_body,
        kind=kind.name,
        params=params or {},
        requested_by=user,
        message=_("En attente d'un processus de fond."),
    )
    _enqueue(job)
    return job


@transaction.atomic
def retry_job(job: Job) -> Job:
    """Queue a failed job again, from the start."""
    if not job.is_failed:
        return job
    job.status = Job.Status.QUEUED
    job.progress = 0
    job.message = _("En attente d'un processus de fond.")
    job.started_at = job.finished_at = None
    job.save(update_fields=["status", "progress", "message", "started_at", "finished_at"])
    _enqueue(job)
    return job


def report_progress(job_pk: int, percent: int, message: str = "") -> None:
    """Store the progress of a running job (its own short write, seen by the page)."""
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job_pk, status=Job.Status.RUNNING).update(
        progress=percent, message=message[:500]
    )


def execute_job(job_pk: int) -> None:
    """Run a job in the worker: build its file, store it, or record a French failure."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.status != Job.Status.QUEUED:
            return  # deleted, or already taken by another worker
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.message = _("Préparation en cours.")
        job.save(update_fields=["status", "started_at", "attempts", "message"])
    try:
        kind = get_kind(job.kind)
        produced = kind.build(job, partial(report_progress, job.pk))
    except JobFailed as exc:
        _fail(job, str(exc))
        return
    except Exception:
        # The worker must survive any builder bug; the user gets a French message and a
        # retry button, the administrator the traceback in the log.
        logger.exception("background job %s (%s) failed", job.pk, job.kind)
        _fail(job, GENERIC_FAILURE)
        return
    with transaction.atomic():
        job.result.save(produced.name, ContentFile(produced.content), save=False)
        job.result_name = produced.name
        job.content_type = produced.content_type
        job.status = Job.Status.DONE
        job.progress = 100
        job.message = _("Fichier prêt.")
        job.finished_at = timezone.now()
        job.expires_at = job.finished_at + timedelta(days=settings.JOB_RETENTION_DAYS)
        job.save()


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )


def cleanup_expired(now: datetime | None = None) -> int:
    """Delete the jobs whose file passed its retention period, files included."""
    now = now or timezone.now()
    expired = list(Job.objects.filter(expires_at__lt=now))
    for job in expired:
        if job.result:
            job.result.delete(save=False)
    Job.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)


def beat(worker_id: str) -> None:
    """Record that the worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()[:255]},
    )


def run_due_daily(now: datetime) -> list[str]:
    """Run each daily task not yet run today, once `DAILY_TASKS_HOUR` has passed.

    The (task, day) row is claimed before the run, so that with several workers each
    task runs once a day; a failure is recorded on the row and logged, not retried.
    """
    local = timezone.localtime(now)
    if local.hour < settings.DAILY_TASKS_HOUR:
        return []
    ran = []
    for task in registered_daily().values():
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(name=task.name, day=local.date())
        except IntegrityError:
            continue  # already run (or running) today
        try:
            task.run(local.date())
        except Exception as exc:
            logger.exception("daily task %s failed", task.name)
            run.error = str(exc)[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "error"])
        ran.append(task.name)
    return ran


def forget_worker(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
