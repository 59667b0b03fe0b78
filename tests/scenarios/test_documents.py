"""The council pack and the commune sheets: layout-friendly HTML, progress, stability lines."""

from __future__ import annotations

import logging
from datetime import date

from django.template.loader import render_to_string

from mutualis import pdf
from mutualis.jobs.models import Job
from mutualis.jobs.services import request_job
from mutualis.scenarios import documents, exports, services
from tests.scenarios.conftest import ScenarioWorld

UNSTABLE = {
    "core_test": {
        "in_core": False,
        "violating_coalition": ["21001", "21002"],
        "violation": "1234.50",
        "verdict": "Les communes A et B paieraient 1 234,50 € de moins en s'organisant seules.",
    }
}


def test_a_sheet_says_whether_its_commune_is_in_the_group_that_would_leave() -> None:
    inside = documents.member_stability(UNSTABLE, "21001", "Aval")
    outside = documents.member_stability(UNSTABLE, "21003", "Cimes")
    assert "un groupe de 2 communes, dont Aval, paierait 1\u202f234,50\xa0€ de moins" in inside
    assert "un groupe de 2 communes, sans Cimes," in outside


def test_a_sheet_of_a_commune_better_off_alone_says_so() -> None:
    alone = {"core_test": {**UNSTABLE["core_test"], "violating_coalition": ["21001"]}}
    text = documents.member_stability(alone, "21001", "Aval")
    assert text.startswith("Test du cœur : Aval paierait 1\u202f234,50\xa0€ de moins")


def test_a_stable_allocation_keeps_its_verdict_and_a_missing_test_says_nothing() -> None:
    stable = {"core_test": {"in_core": True, "violating_coalition": None, "verdict": "Stable."}}
    assert documents.member_stability(stable, "21001", "Aval") == "Stable."
    assert documents.member_stability({"core_test": None}, "21001", "Aval") == ""


def test_the_pack_keeps_explanations_out_of_table_cells(sworld: ScenarioWorld) -> None:
    doc = services.current_report(sworld.scenario)
    html = render_to_string(
        "scenarios/pack.html",
        {"docs": [doc], "title": "T", "body_name": "B", "on": date(2026, 1, 5), "sample": False},
    )
    assert "<details" not in html and 'class="annex"' in html
    for member in doc["members"]:  # each commune's current cost is explained in the annex
        assert f"{member['name']} ({member['insee_code']}) :" in html
    table = html[
        html.index('<table class="allocations">') : html.index(
            "</table>", html.index('<table class="allocations">')
        )
    ]
    assert "explain" not in table


def test_the_sheets_job_reports_its_layout_page_by_page(sworld: ScenarioWorld) -> None:
    logger = logging.getLogger(pdf.PROGRESS_LOGGER)
    before = logger.level, logger.propagate
    job = request_job(
        sworld.world.body, exports.SHEETS_PDF, None, exports.sheets_params(sworld.scenario)
    )
    job = Job.objects.get(pk=job.pk)
    seen: list[tuple[int, str]] = []
    produced = exports.SHEETS_PDF.build(
        job, lambda percent, message: seen.append((percent, message))
    )
    assert produced.content.startswith(b"%PDF")
    layout = [(p, m) for p, m in seen if m.startswith("Fiches communales :")]
    assert layout[-1] == (95, "Fiches communales : 3 pages mises en page sur 3.")
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    assert (logger.level, logger.propagate) == before  # WeasyPrint's logger given back
