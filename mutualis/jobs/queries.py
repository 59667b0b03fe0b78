"""Reads on jobs and workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from mutualis.jobs.models import Job, WorkerHeartbeat
from mutualis.jobs.registry import JobKind


def worker_alive(now: datetime | None = None) -> bool:
    """Has any worker beaten within the heartbeat window?"""
    now = now or timezone.now()
    window = timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 2)
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - window).exists()


def recent_jobs(body_pk: int, kind: JobKind, user_pk: int, limit: int = 5) -> QuerySet[Job]:
    """The user's latest jobs of `kind` for a body, newest first."""
    return Job.objects.filter(pooling_body_id=body_pk, kind=kind.name, requested_by_id=user_pk)[
        :limit
    ]
