"""The calendar of contract deadlines: its rule, its page section and its .ics export,
and who sees what in every diagnostic export (page, PDF, Excel, iCalendar)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from mutualis.inventory import exports
from mutualis.inventory.diagnostic import ContractFact, DomainInfo, MemberInfo
from mutualis.inventory.diagnostic.deadlines import contract_deadlines, notice_day
from mutualis.inventory.views import dashboard as dashboard_views
from mutualis.jobs.models import Job
from tests.conftest import World
from tests.factories import DomainFactory
from tests.inventory.factories import CampaignFactory, ContractFactory
from tests.inventory.test_dashboard import _download

TODAY = "2026-03-02 10:00 +0100"
ON = date(2026, 3, 2)
PAIE = DomainInfo(1, "paie", "Paie", "Ressources")
MEMBERS = {1: MemberInfo(1, "Alpha", "21001", 100), 2: MemberInfo(2, "Bêta", "21002", 100)}


def contract(pk: int, end_on: date | None, notice: int | None, member_id: int = 1):
    return ContractFact(
        member_id, 1, "logiciel", f"Éditeur {pk}", "Paie", Decimal("100.00"), date(2020, 1, 1),
        end_on, notice, pk,
    )  # fmt: skip


def test_notice_day_is_the_end_minus_the_notice_period():
    assert notice_day(contract(1, date(2026, 12, 31), 3)) == date(2026, 9, 30)
    assert notice_day(contract(1, date(2026, 5, 31), 3)) == date(2026, 2, 28)
    assert notice_day(contract(1, date(2026, 12, 31), None)) is None
    assert notice_day(contract(1, None, 3)) is None


def test_the_calendar_lists_ends_and_notice_days_of_the_next_18_months_by_date():
    contracts = [
        contract(1, date(2026, 12, 31), 3),  # notice 30/09/2026, end 31/12/2026
        contract(2, date(2027, 12, 31), 6),  # notice 30/06/2027 only (end after 18 months)
        contract(3, date(2026, 5, 31), 6),  # end only: notice 30/11/2025 has passed
        contract(4, date(2027, 9, 2), None, member_id=2),  # the last day included
        contract(5, date(2027, 9, 3), None),  # one day too far
        contract(6, date(2026, 3, 1), None),  # ended yesterday
        contract(7, None, 3),  # no end: nothing to put in a calendar
    ]
    found = contract_deadlines(contracts, MEMBERS, {1: PAIE}, {"logiciel": "Logiciel"}, ON)
    assert [(d.on, d.contract_id, d.is_notice) for d in found] == [
        (date(2026, 5, 31), 3, False),
        (date(2026, 9, 30), 1, True),
        (date(2026, 12, 31), 1, False),
        (date(2027, 6, 30), 2, True),
        (date(2027, 9, 2), 4, False),
    ]
    assert found[1].label == "Date limite de préavis" and found[2].label == "Fin du contrat"
    assert found[0].domain == PAIE and found[0].kind_label == "Logiciel"


@pytest.fixture
def filled(world: World):
    domain = DomainFactory(pooling_body=world.body, name="Paie")
    campaign = CampaignFactory(pooling_body=world.body, domains=[domain], year=2026)
    for member, vendor in (
        (world.own_commune, "Éditeur-Maison, Paie; Cloud"),
        (world.other_commune, "Éditeur-Voisin"),
    ):
        ContractFactory(
            campaign=campaign,
            member=member,
            domain=domain,
            vendor=vendor,
            end_on=date(2026, 12, 31),
            notice_period_months=3,
        )
    return campaign


def _ics(client, world: World, campaign) -> bytes:
    response = client.get(reverse("diagnostic:calendar_ics", args=[world.body.pk, campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="echeances-contrats-2026.ics"' in response["Content-Disposition"]
    return response.content


@time_machine.travel(TODAY, tick=False)
def test_the_ics_export_follows_rfc_5545(world: World, filled, client_for):
    client = client_for(world.pooling_admin)
    content = _ics(client, world, filled)
    assert content.startswith(b"BEGIN:VCALENDAR\r\n") and content.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")  # every line ends with CRLF
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))  # folded lines
    assert b"VERSION:2.0" in content and b"PRODID:" in content
    unfolded = content.replace(b"\r\n ", b"").decode()
    assert "Éditeur-Maison\\, Paie\\; Cloud" in unfolded  # TEXT escaping
    calendar = Calendar.from_ical(content)
    events = calendar.walk("VEVENT")
    assert len(events) == 4  # two contracts × (notice day, end)
    assert {e.decoded("dtstart") for e in events} == {date(2026, 9, 30), date(2026, 12, 31)}
    assert all(e.get("dtstamp") is not None for e in events)
    assert all(str(e.get("uid")).endswith("@testserver") for e in events)
    uids = sorted(str(e.get("uid")) for e in events)
    assert len(set(uids)) == 4
    with time_machine.travel("2026-03-09 10:00 +0100", tick=False):
        later = Calendar.from_ical(_ics(client, world, filled))
    assert sorted(str(e.get("uid")) for e in later.walk("VEVENT")) == uids  # stable


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_shows_the_calendar_as_a_table(world: World, filled, client_for):
    url = reverse("diagnostic:dashboard", args=[world.body.pk, filled.pk])
    html = client_for(world.elected_official).get(url).content.decode()
    assert 'id="calendrier"' in html
    assert "Calendrier des échéances de contrats (18 prochains mois)" in html
    assert '<time datetime="2026-09-30">30/09/2026</time>' in html
    assert "Date limite de préavis" in html and "Éditeur-Voisin" in html
    assert reverse("diagnostic:calendar_ics", args=[world.body.pk, filled.pk]) in html


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_lists_the_nearest_deadlines_and_leaves_the_rest_to_the_ics(
    world: World, filled, client_for, monkeypatch
):
    monkeypatch.setattr(dashboard_views, "CALENDAR_LIMIT", 3)  # 2 contracts, 4 deadlines
    url = reverse("diagnostic:dashboard", args=[world.body.pk, filled.pk])
    response = client_for(world.pooling_admin).get(url)
    assert len(response.context["deadlines"]) == 3 and response.context["deadline_total"] == 4
    assert "Les 3 plus proches sur 4" in response.content.decode()
    assert _ics(client_for(world.pooling_admin), world, filled).count(b"BEGIN:VEVENT") == 4


# --- who sees what: every export of the diagnostic, for a référent ---------------------


def _xlsx_text(client, world: World, campaign) -> str:
    url = reverse("diagnostic:report_xlsx", args=[world.body.pk, campaign.pk])
    data = b"".join(_download(client, url).streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def _pdf_diagnostic(client, world: World, campaign):
    """The diagnostic the PDF job renders, for the user who asked for it."""
    url = reverse("diagnostic:report_pdf", args=[world.body.pk, campaign.pk])
    job = client.post(url, follow=True).context["job"]
    assert job.status == Job.Status.DONE, job.message
    seen = []

    def render(diagnostic):  # the same `_build` as the PDF, with a spy for a renderer
        seen.append(diagnostic)
        return b""

    exports._build(render, "pdf", "application/pdf", Job.objects.get(pk=job.pk), lambda *a: None)
    return seen[0]


def _vendors(diagnostic) -> set[str]:
    t = diagnostic.territory
    return {
        *(w.vendor for w in t.contract_windows),
        *(d.vendor for d in t.deadlines),
        *(w.vendor for r in diagnostic.domains for w in r.contract_windows),
    }


@time_machine.travel(TODAY, tick=False)
def test_without_transparency_no_export_shows_another_communes_contracts(
    world: World, filled, client_for
):
    client = client_for(world.member_agent)
    assert b"Editeur-Voisin" not in _ics(client, world, filled)
    assert "Éditeur-Voisin" not in _ics(client, world, filled).decode()
    assert "Éditeur-Maison" in _ics(client, world, filled).decode()
    xlsx = _xlsx_text(client, world, filled)
    assert "Éditeur-Maison" in xlsx and "Éditeur-Voisin" not in xlsx
    assert "Bourg-Témoin" not in xlsx  # nor its line in the cost per inhabitant
    pdf = _pdf_diagnostic(client, world, filled)
    assert pdf.is_scoped and _vendors(pdf) == {"Éditeur-Maison, Paie; Cloud"}
    assert all(c.member.id == world.own_commune.pk for c in pdf.territory.member_costs)
    page = client.get(reverse("diagnostic:dashboard", args=[world.body.pk, filled.pk]))
    assert "Éditeur-Voisin" not in page.content.decode()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", ["member_agent", "pooling_admin"])
def test_with_transparency_or_a_wider_role_every_export_shows_every_commune(
    world: World, filled, client_for, persona: str
):
    if persona == "member_agent":
        world.body.communes_transparency = True
        world.body.save()
    client = client_for(world.persona(persona))
    assert "Éditeur-Voisin" in _ics(client, world, filled).decode()
    assert "Éditeur-Voisin" in _xlsx_text(client, world, filled)
    pdf = _pdf_diagnostic(client, world, filled)
    assert not pdf.is_scoped and "Éditeur-Voisin" in _vendors(pdf)
