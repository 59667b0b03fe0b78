"""Workbooks above the size threshold are imported by a background job, after the same
preview, all or nothing, and never over what changed on the web since the preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutualis.inventory import import_jobs, workbook
from mutualis.inventory.models import ImportLog, PendingImport, ServiceRecord, StaffLine
from mutualis.jobs.models import Job
from mutualis.jobs.services import execute_job
from tests.inventory.test_views import url
from tests.inventory.workbook_helpers import edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    """Every workbook counts as large; jobs wait in the database for `execute_job`."""
    settings.INVENTORY_IMPORT_BACKGROUND_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _job_page(inventory, job: Job) -> str:
    return reverse("jobs:detail", args=[inventory.world.body.pk, job.pk])


def _upload(inventory, client, data: bytes) -> Job:
    """Upload a large file: it is kept unchecked and its check is queued."""
    uploaded = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("gros.xlsx", data)}
    )
    job = Job.objects.get(kind=import_jobs.IMPORT_CHECK.name)
    assert uploaded.status_code == 302 and uploaded["Location"] == _job_page(inventory, job)
    assert job.status == Job.Status.QUEUED
    return job


def _checked_preview(inventory, client, data: bytes) -> str:
    """Upload, run the check job, follow its page to the preview; the preview's address."""
    job = _upload(inventory, client, data)
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    page = client.get(_job_page(inventory, job))
    preview_url = page.context["next_step"][0]
    assert f'href="{preview_url}"' in page.content.decode()
    return preview_url


def _confirm(inventory, client, data: bytes) -> Job:
    preview_url = _checked_preview(inventory, client, data)
    digest = client.get(preview_url).context["preview"]["digest"]
    confirmed = client.post(preview_url, {"digest": digest, "confirm": ""})
    job = Job.objects.get(kind=import_jobs.IMPORT_APPLY.name)
    assert confirmed["Location"] == _job_page(inventory, job)
    assert job.status == Job.Status.QUEUED
    return job


def test_a_large_upload_is_checked_and_previewed_by_a_job_not_in_the_request(
    inventory, client_for, queued
):
    data = edit(workbook.export_workbook(inventory.campaign), "Services", {
        (5, "Mode de gestion"): "externalise"
    })  # fmt: skip
    client = client_for(inventory.world.pooling_admin)
    job = _upload(inventory, client, data)
    pending = PendingImport.objects.get()
    assert not pending.checked and pending.preview is None
    preview_url = reverse(
        "inventory:import_preview",
        args=[inventory.world.body.pk, inventory.campaign.pk, pending.token],
    )
    # Until the check has run, the preview leads back to the job's progress page.
    assert client.get(preview_url)["Location"] == _job_page(inventory, job)
    progress = client.get(_job_page(inventory, job)).content.decode()
    assert 'http-equiv="refresh"' in progress  # progress without JavaScript
    execute_job(job.pk)
    pending.refresh_from_db()
    assert pending.checked and pending.preview["count_create"] == 1
    preview = client.get(preview_url)
    content = preview.content.decode()
    assert "Saint-Essai — feuille Services" in content
    assert "Mode de gestion : — → externalise" in content
    assert not ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()


def test_a_large_upload_with_problems_fails_its_check_in_french_and_can_be_retried(
    inventory, client_for, queued
):
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): "beaucoup"})
    client = client_for(inventory.world.pooling_admin)
    job = _upload(inventory, client, data)
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "erreur(s) dans le classeur" in job.message and "ETP" in job.message
    page = client.get(_job_page(inventory, job)).content.decode()
    assert "Relancer" in page and "Corrigez le classeur" in page
    assert not PendingImport.objects.get().checked
    client.post(reverse("jobs:retry", args=[inventory.world.body.pk, job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert not ImportLog.objects.exists() and StaffLine.objects.get().fte == Decimal("0.30")


def test_a_closed_campaign_refuses_a_large_upload_at_once(inventory, client_for, queued):
    inventory.campaign.status = "closed"
    inventory.campaign.save()
    data = workbook.export_workbook(inventory.campaign)
    client = client_for(inventory.world.pooling_admin)
    response = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("gros.xlsx", data)}
    )
    assert response.status_code == 400
    assert "clôturée" in response.content.decode()
    assert not Job.objects.exists() and not PendingImport.objects.exists()


def test_only_its_uploader_reaches_a_staged_file_through_the_check_job(
    inventory, client_for, queued
):
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): 2})
    job = _upload(inventory, client_for(inventory.world.pooling_admin), data)
    execute_job(job.pk)
    other = client_for(inventory.world.member_agent)
    assert other.get(_job_page(inventory, job)).status_code == 404
    token = PendingImport.objects.get().token
    preview_url = reverse(
        "inventory:import_preview", args=[inventory.world.body.pk, inventory.campaign.pk, token]
    )
    assert other.get(preview_url).status_code in (403, 404)


def test_the_threshold_is_a_setting(settings):
    assert import_jobs.background_bytes() == import_jobs.DEFAULT_BACKGROUND_BYTES
    settings.INVENTORY_IMPORT_BACKGROUND_BYTES = 10
    assert import_jobs.background_bytes() == 10


def test_a_large_import_is_applied_by_the_job_once_confirmed(inventory, client_for, queued):
    data = edit(workbook.export_workbook(inventory.campaign), "Services", {
        (5, "Mode de gestion"): "externalise"
    })  # fmt: skip
    client = client_for(inventory.world.pooling_admin)
    job = _confirm(inventory, client, data)
    assert not ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()
    pending = client.get(reverse("jobs:detail", args=[inventory.world.body.pk, job.pk]))
    assert 'http-equiv="refresh"' in pending.content.decode()  # progress without JavaScript
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert ServiceRecord.objects.get(member=inventory.world.own_commune).mode == "externalise"
    log = ImportLog.objects.get()
    assert log.file_name == "gros.xlsx" and log.user == inventory.world.pooling_admin
    assert not PendingImport.objects.exists()
    report = job.result.read().decode()
    assert f"Journal d'import n° {log.pk}" in report
    assert job.result_name == "compte-rendu-import-2025.txt"


def test_a_web_change_after_the_preview_fails_the_job_and_writes_nothing(
    inventory, client_for, queued
):
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): 2})
    client = client_for(inventory.world.pooling_admin)
    job = _confirm(inventory, client, data)
    shown = PendingImport.objects.get().preview["digest"]
    StaffLine.objects.update(fte=Decimal("3"))  # saved on the web meanwhile
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "ont changé depuis l'aperçu" in job.message
    assert StaffLine.objects.get().fte == Decimal("3")
    assert not ImportLog.objects.exists()
    # The preview is computed again, and the failed job's page leads to it: now a conflict.
    page = client.get(_job_page(inventory, job))
    preview = client.get(page.context["next_step"][0]).context["preview"]
    assert preview["digest"] != shown and preview["conflict_count"] == 1


def test_an_expired_upload_fails_the_job_in_french(inventory, client_for, queued):
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): 2})
    job = _confirm(inventory, client_for(inventory.world.pooling_admin), data)
    PendingImport.objects.all().delete()
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "a expiré ou a déjà été importé" in job.message
    assert not ImportLog.objects.exists()


def test_a_small_import_still_runs_in_the_request(inventory, client_for, settings):
    settings.INVENTORY_IMPORT_BACKGROUND_BYTES = 50 * 1024 * 1024
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): 2})
    client = client_for(inventory.world.pooling_admin)
    uploaded = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("petit.xlsx", data)}
    )
    digest = client.get(uploaded["Location"]).context["preview"]["digest"]
    client.post(uploaded["Location"], {"digest": digest, "confirm": ""})
    assert not Job.objects.exists()
    assert StaffLine.objects.get().fte == Decimal("2")
