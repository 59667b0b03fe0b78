"""The ZIP of every document of a version is built as a background job (mutualis.jobs)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from mutualis.conventions.exports import DOCUMENT_PACK, pack_params
from mutualis.conventions.models import DocumentTemplate
from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, registered
from tests.conventions.factories import draft, version_of


def _pack_url(world, convention) -> str:  # type: ignore[no-untyped-def]
    return reverse("conventions:pack", args=[world.body.pk, convention.pk, 1])


def test_pack_kind_is_registered():
    assert registered()[DOCUMENT_PACK.name] is DOCUMENT_PACK


def test_pack_runs_as_a_job_and_downloads_as_a_zip(world, client_for, settings):
    convention = draft(world.body, [world.own_commune, world.other_commune])
    client = client_for(world.pooling_admin)
    progress = client.post(_pack_url(world, convention), follow=True)
    assert progress.status_code == 200
    job = progress.context["job"]
    assert job.kind == DOCUMENT_PACK.name
    assert job.status == Job.Status.DONE, job.message
    assert job.progress == 100
    assert (job.expires_at - job.finished_at).days == settings.JOB_RETENTION_DAYS
    assert job.params == pack_params(version_of(convention))
    response = client.get(reverse("jobs:download", args=[world.body.pk, job.pk]))
    assert response["Content-Type"] == "application/zip"
    assert job.result_name.startswith("documents-service-commun-ads-v1")
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert "convention.odt" in names and "annexe-financiere.pdf" in names
    assert len([n for n in names if n.startswith("deliberations/")]) == 6


def test_pack_is_post_only(world, client_for):
    convention = draft(world.body, [world.own_commune])
    response = client_for(world.pooling_admin).get(_pack_url(world, convention))
    assert response.status_code == 405
    assert not Job.objects.exists()


def test_referent_gets_the_pack_of_its_own_convention(world, client_for):
    convention = draft(world.body, [world.own_commune, world.other_commune])
    client = client_for(world.member_agent)
    job = client.post(_pack_url(world, convention), follow=True).context["job"]
    assert job.status == Job.Status.DONE, job.message
    assert job.requested_by == world.member_agent
    assert client.get(reverse("jobs:download", args=[world.body.pk, job.pk])).status_code == 200


def test_broken_template_fails_in_french_and_can_be_retried(world, client_for):
    convention = draft(world.body, [world.own_commune])
    template = DocumentTemplate(
        pooling_body=world.body, legal_form="service_commun", kind="deliberation"
    )
    template.file.save("casse.docx", ContentFile(b"pas un docx"), save=False)
    template.file_name = "casse.docx"
    template.save()
    client = client_for(world.pooling_admin)
    job = client.post(_pack_url(world, convention), follow=True).context["job"]
    assert job.status == Job.Status.FAILED
    assert "modèle de document de la structure" in job.message
    page = client.get(reverse("jobs:detail", args=[world.body.pk, job.pk])).content.decode()
    assert "relancer" in page.lower()
    template.delete()
    client.post(reverse("jobs:retry", args=[world.body.pk, job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.attempts == 2


def test_a_removed_version_fails_with_a_message(world):
    job = Job.objects.create(
        pooling_body=world.body, kind=DOCUMENT_PACK.name, params={"convention_pk": 0, "number": 1}
    )
    with pytest.raises(JobFailed, match="n'existe plus"):
        DOCUMENT_PACK.build(job, lambda percent, message: None)


def test_another_body_cannot_build_this_body_pack(world):
    convention = draft(world.body, [world.own_commune])
    job = Job.objects.create(
        pooling_body=world.other_body,
        kind=DOCUMENT_PACK.name,
        params=pack_params(version_of(convention)),
    )
    with pytest.raises(JobFailed):
        DOCUMENT_PACK.build(job, lambda percent, message: None)
