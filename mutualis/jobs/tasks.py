"""The one task of the jobs app: every job kind runs through it."""

from __future__ import annotations

from django_tasks import task

from mutualis.jobs import services


@task()
def run_job(job_pk: int) -> None:
    services.execute_job(job_pk)
