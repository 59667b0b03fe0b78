"""The pages: drafting, lifecycle through the views, uploads refused in French, downloads,
the calendar, and query counts that do not grow with the number of parties."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as DocxDocument
from icalendar import Calendar

from mutualis.conventions import services
from mutualis.conventions.models import Convention, ConventionVersion, DocumentTemplate
from tests.conftest import World
from tests.conventions.factories import PDF, SENT, draft, signed, version_of
from tests.factories import MemberFactory


def _docx(*paragraphs: str) -> bytes:
    document = DocxDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_coordinator_drafts_a_convention(world: World, client_for):
    client = client_for(world.pooling_admin)
    response = client.post(
        reverse("conventions:create", args=[world.body.pk]),
        {
            "title": "Service commun informatique",
            "legal_form": "service_commun",
            "members": [world.own_commune.pk, world.other_commune.pk],
            "subject": "Informatique des mairies.",
            "start_on": "2027-01-01",
            "end_on": "2029-12-31",
            "renewal": "none",
            "notice_months": "3",
            "method": "key",
            "periodicity_months": "12",
            "charges_amount": "90000",
            "monitoring_committee": "on",
            "yearly_report": "on",
        },
    )
    convention = Convention.objects.get()
    assert response.status_code == 302
    assert version_of(convention).parties.count() == 3


def test_drafting_with_an_end_before_the_start_names_the_field(world: World, client_for):
    response = client_for(world.pooling_admin).post(
        reverse("conventions:create", args=[world.body.pk]),
        {
            "title": "X",
            "legal_form": "mad_ascendante",
            "members": [world.own_commune.pk],
            "subject": "X",
            "start_on": "2027-01-01",
            "end_on": "2026-01-01",
            "renewal": "none",
            "notice_months": "3",
            "method": "unit_cost",
            "periodicity_months": "12",
            "charges_amount": "1000",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "précède la date d&#x27;effet" in page
    assert "unité de fonctionnement" in page
    assert not Convention.objects.exists()


def test_a_foreign_member_cannot_be_chosen(world: World, client_for):
    response = client_for(world.pooling_admin).post(
        reverse("conventions:create", args=[world.body.pk]),
        {"title": "X", "legal_form": "entente", "members": [world.foreign_commune.pk]},
    )
    assert response.status_code == 200
    assert not Convention.objects.exists()


def test_a_signed_version_cannot_be_edited_through_the_views(world: World, client_for):
    version = signed(world.body, [world.own_commune])
    client = client_for(world.pooling_admin)
    for name in (
        "conventions:edit",
        "conventions:parties",
        "conventions:staff",
        "conventions:send",
    ):
        response = client.post(
            reverse(name, args=[world.body.pk, version.convention_id]),
            {"subject": "Modifié", "sent_on": "2027-01-01"},
        )
        assert response.status_code == 403, name
    version.refresh_from_db()
    assert version.subject.startswith("Instruction") and version.status == "signed"


def test_signing_with_a_non_pdf_is_refused_in_french(world: World, client_for):
    version = version_of(draft(world.body, [world.own_commune]))
    services.send_to_parties(version, SENT)
    client = client_for(world.pooling_admin)
    response = client.post(
        reverse("conventions:sign", args=[world.body.pk, version.convention_id]),
        {"signed_on": "2026-11-02", "signed_scan": SimpleUploadedFile("scan.pdf", b"GIF89a")},
        follow=True,
    )
    assert "n&#x27;est pas un fichier PDF" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "sent"


def test_older_versions_stay_downloadable(world: World, client_for):
    first = signed(world.body, [world.own_commune])
    services.draft_avenant(first, reason="Nouvelle unité.")
    client = client_for(world.elected_official)
    for number in (1, 2):
        url = reverse(
            "conventions:document",
            args=[world.body.pk, first.convention_id, number, "convention", "docx"],
        )
        assert client.get(url).status_code == 200
    scan = client.get(reverse("conventions:scan", args=[world.body.pk, first.convention_id, 1]))
    assert b"".join(scan.streaming_content) == PDF


def test_a_template_that_fails_to_render_is_refused_with_its_error(world: World, client_for):
    client = client_for(world.pooling_admin)
    url = reverse("conventions:templates", args=[world.body.pk])
    bad = SimpleUploadedFile("modele.docx", _docx("{{ intitule "))
    page = client.post(
        url, {"legal_form": "entente", "kind": "convention", "file": bad}
    ).content.decode()
    assert "ne peut pas servir de modèle" in page and "syntaxe" in page
    unknown = SimpleUploadedFile("modele.docx", _docx("{{ inconnue }}"))
    page = client.post(
        url, {"legal_form": "entente", "kind": "convention", "file": unknown}
    ).content.decode()
    assert "inconnue" in page
    not_docx = SimpleUploadedFile("modele.docx", b"pas un docx")
    page = client.post(
        url, {"legal_form": "entente", "kind": "convention", "file": not_docx}
    ).content.decode()
    assert "DOCX lisible" in page
    assert not DocumentTemplate.objects.exists()


def test_an_uploaded_template_overrides_the_default(world: World, client_for):
    client = client_for(world.pooling_admin)
    template = _docx("EN-TÊTE DE LA STRUCTURE {{ structure }}", "{{p texte }}")
    client.post(
        reverse("conventions:templates", args=[world.body.pk]),
        {
            "legal_form": "entente",
            "kind": "convention",
            "file": SimpleUploadedFile("m.docx", template),
        },
    )
    assert DocumentTemplate.objects.count() == 1
    convention = draft(world.body, [world.own_commune], "entente")
    response = client.get(
        reverse(
            "conventions:document", args=[world.body.pk, convention.pk, 1, "convention", "docx"]
        )
    )
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(response.content)).paragraphs)
    assert "EN-TÊTE DE LA STRUCTURE CC du Val de Test" in text
    assert "L.5221-1" in text


def test_calendar_exports_notice_and_end_dates(world: World, client_for):
    signed(world.body, [world.own_commune], title="ADS signée")
    response = client_for(world.finance_officer).get(
        reverse("conventions:calendar", args=[world.body.pk])
    )
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert sorted(e.decoded("dtstart") for e in events) == [date(2029, 6, 30), date(2029, 12, 31)]
    assert all("ADS signée" in str(e["summary"]) for e in events)


def test_dashboard_lists_conventions_reaching_their_notice_date(world: World, client_for):
    import time_machine

    signed(world.body, [world.own_commune], title="ADS signée")
    with time_machine.travel(date(2029, 6, 1)):
        page = (
            client_for(world.pooling_admin)
            .get(reverse("conventions:index", args=[world.body.pk]) + "?jours=60")
            .content.decode()
        )
    assert "Date limite de préavis" in page and "30/06/2029" in page


def _party_count_queries(world, client, django_assert_max_num_queries, count):  # type: ignore[no-untyped-def]
    members = [world.own_commune] + [MemberFactory(pooling_body=world.body) for _ in range(count)]
    convention = draft(world.body, members, title=f"{count} parties")
    ConventionVersion.objects.filter(convention=convention).update(status="sent", sent_on=SENT)
    with django_assert_max_num_queries(16):
        assert (
            client.get(
                reverse("conventions:detail", args=[world.body.pk, convention.pk])
            ).status_code
            == 200
        )


@pytest.mark.parametrize("count", [2, 40])
def test_convention_page_queries_do_not_grow_with_parties(
    world: World, client_for, django_assert_max_num_queries, count
):
    _party_count_queries(
        world, client_for(world.pooling_admin), django_assert_max_num_queries, count
    )
