"""The year's statements as one PDF or workbook, built in the background (mutualis.jobs)."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from mutualis.jobs.models import Job
from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from tests.operations.conftest import Ops, quarter_units

YEAR = 2026


def _year_of_statements(ops: Ops) -> None:
    quarter_units(ops)
    services.notify_unit_cost(ops.notice, date(2026, 3, 1))
    services.subscribe(ops.offer, ops.world.own_commune, date(2026, 2, 1), None)
    services.generate_statements(ops.world.body, YEAR, Frequency.QUARTERLY, 1)


def _download(client, fmt: str, ops: Ops):  # type: ignore[no-untyped-def]
    """Ask for the file (a background job, run at once in tests): progress page, then file."""
    url = reverse("operations:statements_file", args=[ops.world.body.pk, YEAR, fmt])
    progress = client.post(url, follow=True)
    job = progress.context["job"]
    assert job.status == Job.Status.DONE, job.message
    return client.get(reverse("jobs:download", args=[job.pooling_body_id, job.pk]))


def test_the_years_statements_pdf_is_built_in_the_background(ops: Ops, client_for) -> None:
    _year_of_statements(ops)
    client = client_for(ops.world.finance_officer)
    response = _download(client, "pdf", ops)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="etats-2026.pdf"' in response["Content-Disposition"]


def test_the_years_statements_workbook_lists_every_members_lines(ops: Ops, client_for) -> None:
    _year_of_statements(ops)
    response = _download(client_for(ops.world.finance_officer), "xlsx", ops)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert {"Saint-Essai", "Bourg-Témoin"} <= names


def test_a_referents_batch_holds_only_its_commune(ops: Ops, client_for) -> None:
    _year_of_statements(ops)
    response = _download(client_for(ops.world.member_agent), "xlsx", ops)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert names == {"Saint-Essai"}


def test_a_year_without_statements_fails_with_a_french_message(ops: Ops, client_for) -> None:
    url = reverse("operations:statements_file", args=[ops.world.body.pk, YEAR, "pdf"])
    job = client_for(ops.world.finance_officer).post(url, follow=True).context["job"]
    assert job.status == Job.Status.FAILED
    assert job.message == "Aucun état pour l'exercice 2026."


def test_asking_with_get_or_an_unknown_format_queues_nothing(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:statements_file", args=[ops.world.body.pk, YEAR, "pdf"])
    assert client.get(url).status_code == 405
    other = reverse("operations:statements_file", args=[ops.world.body.pk, YEAR, "docx"])
    assert client.post(other).status_code == 404
    assert not Job.objects.exists()
