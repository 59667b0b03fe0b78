"""Who may see a job: its requester, or a manager of its pooling body; otherwise 404."""

from __future__ import annotations

from django.http import Http404

from mutualis.accounts.access import User, get_pooling_body_for
from mutualis.jobs.models import Job


def get_job_for(user: User, body_pk: int, job_pk: int) -> Job:
    """The job `job_pk` of body `body_pk`, or 404 (another body, or another user's job).

    A job's file may hold what only its requester may read (a référent's own commune), so
    only the requester and the body's managers see it.
    """
    _body, abilities = get_pooling_body_for(user, body_pk)
    job = Job.objects.filter(pk=job_pk, pooling_body_id=body_pk).first()
    if job is None:
        raise Http404
    if job.requested_by_id != user.pk and not abilities.can_manage:
        raise Http404
    return job
