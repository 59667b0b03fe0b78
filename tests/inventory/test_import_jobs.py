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


def _confirm(inventory, client, data: bytes) -> Job:
    uploaded = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("gros.xlsx", data)}
    )
    assert uploaded.status_code == 302
    digest = client.get(uploaded["Location"]).context["plan"].digest
    confirmed = client.post(uploaded["Location"], {"digest": digest, "confirm": ""})
    job = Job.objects.get()
    assert confirmed["Location"] == reverse("jobs:detail", args=[inventory.world.body.pk, job.pk])
    assert job.kind == import_jobs.IMPORT_APPLY.name and job.status == Job.Status.QUEUED
    return job


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
    job = _confirm(inventory, client_for(inventory.world.pooling_admin), data)
    StaffLine.objects.update(fte=Decimal("3"))  # saved on the web meanwhile
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "ont changé depuis l'aperçu" in job.message
    assert StaffLine.objects.get().fte == Decimal("3")
    assert not ImportLog.objects.exists()


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
    digest = client.get(uploaded["Location"]).context["plan"].digest
    client.post(uploaded["Location"], {"digest": digest, "confirm": ""})
    assert not Job.objects.exists()
    assert StaffLine.objects.get().fte == Decimal("2")
