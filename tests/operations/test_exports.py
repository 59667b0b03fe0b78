"""The year's statements as one PDF or workbook, built in the background (mutualis.jobs)."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse
from django.utils.html import escape
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


def test_common_steps_are_those_of_several_members_and_keep_their_order() -> None:
    from mutualis.operations.analysis import factor_steps

    cost = {"label": "Coût unitaire", "formula": "", "result": "10 €", "reference": "D.5211-16"}
    rounding = {"label": "Arrondi", "formula": "", "result": "", "reference": ""}
    own_a = {"label": "A : 10 € × 2", "formula": "", "result": "20 €", "reference": ""}
    own_b = {"label": "B : 10 € × 3", "formula": "", "result": "30 €", "reference": ""}
    factored = factor_steps(
        [
            ("a", [cost, own_a, rounding]),
            ("a", [cost, own_a, rounding]),  # the same member's next quarter: still its own
            ("b", [cost, own_b, rounding]),
            ("b", [own_b]),
        ]
    )
    assert factored.common == [[cost, rounding]]
    assert factored.lines == [(1, [own_a]), (1, [own_a]), (1, [own_b]), (None, [own_b])]
    alone = factor_steps([("a", [cost, own_a, rounding])])
    assert alone.common == [] and alone.lines == [(None, [cost, own_a, rounding])]


def test_the_years_pdf_is_one_document_citing_every_step(ops: Ops) -> None:
    """Every step of every line is in the year's document: on its line, or once in the
    common explanation the line cites; one statement alone keeps all steps on its lines."""
    from mutualis.operations import documents
    from mutualis.operations.models import Statement

    _year_of_statements(ops)
    statements = list(documents.with_lines(Statement.objects.filter(year=YEAR)))
    assert len({s.member_id for s in statements}) == 2
    html = documents.statements_html(documents.printed(statements), "États")
    assert html.count("<section>") == len(statements) + 1  # and the common explanations
    assert html.count("Explication n° 1<") == 1
    assert "(explication n° 1)" in html
    for statement in statements:
        alone = documents.statements_html(documents.printed([statement]), "État")
        assert "Explication n°" not in alone
        for line in statement.lines.all():
            assert escape(f"{line.label} : {line.formula} →") in alone
            for step in line.explanation["steps"]:
                if step["formula"] == line.formula:
                    continue  # the line itself (member : formula = amount), its row
                assert escape(step["label"]) in alone
                assert escape(step["label"]) in html
    seen: list[tuple[int, str]] = []
    pdf = documents.statements_pdf(
        statements, "États", on_progress=lambda p, m: seen.append((p, m))
    )
    assert pdf.startswith(b"%PDF")
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] >= 90
    assert "écriture du PDF" in seen[-1][1]
    assert documents.statement_pdf(statements[0]).startswith(b"%PDF")
