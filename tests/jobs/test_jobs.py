"""Background jobs: progress page, download, retry, cleanup, tenancy and the real worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mutualis.jobs import services
from mutualis.jobs.models import Job, WorkerHeartbeat
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, register
from tests.conftest import World

Route = Callable[[World], str]


def _hello(job: Job, report) -> JobFile:  # type: ignore[no-untyped-def]
    report(50, "À mi-chemin.")
    return JobFile(f"bonjour-{job.params['n']}.txt", b"bonjour", "text/plain")


def _broken(job: Job, report) -> JobFile:  # type: ignore[no-untyped-def]
    if job.params.get("refuse"):
        raise JobFailed("La campagne de ce diagnostic n'existe plus.")
    raise RuntimeError("bug")


HELLO = register(JobKind("tests.hello", "Fichier de test", _hello))
BROKEN = register(JobKind("tests.broken", "Fichier raté", _broken))


def _job(w: World, kind: JobKind = HELLO, user=None, **params) -> Job:  # type: ignore[no-untyped-def]
    return services.request_job(w.body, kind, user or w.pooling_admin, {"n": 1, **params})


def _first_job(w: World) -> Job:
    return Job.objects.filter(pooling_body=w.body).first() or _job(w)


JOB_ROUTES: dict[str, Route] = {
    "jobs:detail": lambda w: reverse("jobs:detail", args=[w.body.pk, _first_job(w).pk]),
    "jobs:download": lambda w: reverse("jobs:download", args=[w.body.pk, _first_job(w).pk]),
    "jobs:retry": lambda w: reverse("jobs:retry", args=[w.body.pk, _first_job(w).pk]),
}


@pytest.mark.parametrize("route", sorted(JOB_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404(world: World, client_for, route: str, method: str):
    url = JOB_ROUTES[route](world)
    assert getattr(client_for(world.outsider), method)(url).status_code == 404


@pytest.mark.parametrize("route", sorted(JOB_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.get(JOB_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", sorted(JOB_ROUTES))
def test_another_users_job_is_404_for_a_non_manager(world: World, client_for, route: str):
    url = JOB_ROUTES[route](world)  # requested by pooling_admin
    assert client_for(world.elected_official).get(url).status_code in (404, 405)
    assert client_for(world.member_agent).post(url).status_code == 404


def test_job_of_another_body_is_404_inside_own_body_url(world: World, client_for):
    foreign = services.request_job(world.other_body, HELLO, world.outsider, {"n": 1})
    url = reverse("jobs:detail", args=[world.body.pk, foreign.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


def test_finished_job_offers_its_file_until_it_expires(world: World, client_for):
    job = _job(world, n=7)
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == (Job.Status.DONE, 100, 1)
    client = client_for(world.pooling_admin)
    html = client.get(reverse("jobs:detail", args=[world.body.pk, job.pk])).content.decode()
    assert "Télécharger bonjour-7.txt" in html
    assert 'http-equiv="refresh"' not in html and "hx-get" not in html
    response = client.get(reverse("jobs:download", args=[world.body.pk, job.pk]))
    assert b"".join(response.streaming_content) == b"bonjour"
    assert 'filename="bonjour-7.txt"' in response["Content-Disposition"]
    assert job.expires_at > timezone.now() + timedelta(days=6)


def test_pending_job_page_refreshes_without_javascript_and_polls_with_htmx(
    world: World, client_for, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _job(world)
    client = client_for(world.pooling_admin)
    url = reverse("jobs:detail", args=[world.body.pk, job.pk])
    html = client.get(url).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 2s"' in html
    assert "En attente" in html and '<progress id="job-bar" max="100" value="0">' in html
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<section id="job-progress"') and "<html" not in partial
    download = client.get(reverse("jobs:download", args=[world.body.pk, job.pk]))
    assert download.status_code == 404


def test_failure_shows_a_french_message_and_can_be_retried(world: World, client_for):
    job = _job(world, kind=BROKEN)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "a échoué à cause d'une erreur inattendue" in job.message
    client = client_for(world.pooling_admin)
    html = client.get(reverse("jobs:detail", args=[world.body.pk, job.pk])).content.decode()
    assert "Relancer" in html and "a échoué" in html
    job.params = {"refuse": True}
    job.save()
    response = client.post(reverse("jobs:retry", args=[world.body.pk, job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.message == "La campagne de ce diagnostic n'existe plus."


def test_a_manager_sees_the_jobs_of_the_body(world: World, client_for):
    job = _job(world, user=world.member_agent)
    assert (
        client_for(world.member_agent)
        .get(reverse("jobs:detail", args=[world.body.pk, job.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(world.pooling_admin)
        .get(reverse("jobs:download", args=[world.body.pk, job.pk]))
        .status_code
        == 200
    )


def test_cleanup_deletes_expired_files_only(world: World):
    old, recent = _job(world, n=1), _job(world, n=2)
    old.refresh_from_db()
    path = old.result.path
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("jobs", "cleanup")
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    import os

    assert not os.path.exists(path)


# The worker closes its database connections between jobs, as a long-running process
# must; on PostgreSQL that is only possible outside the test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_jobs_from_the_database(world: World, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _job(world, n=3)
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    call_command("worker", batch=True, verbosity=0, startup_delay=False, reload=False)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result_name == "bonjour-3.txt"


def test_progress_is_bounded_and_recorded_only_while_running(world: World):
    job = Job.objects.create(pooling_body=world.body, kind=HELLO.name, status=Job.Status.RUNNING)
    services.report_progress(job.pk, 250, "Presque.")
    job.refresh_from_db()
    assert (job.progress, job.message) == (100, "Presque.")


@pytest.mark.django_db
def test_healthz_reports_database_and_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": True, "worker": False}
    services.beat("w1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "worker": True}
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    assert client.get("/healthz").status_code == 503
