"""The inventory through HTTP: status, content and database state."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutualis.inventory import workbook
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    ImportLog,
    ServiceRecord,
    Submission,
)
from tests.factories import MemberFactory, RoleFactory, UserFactory
from tests.inventory.factories import ServiceRecordFactory
from tests.inventory.workbook_helpers import edit

pytestmark = pytest.mark.django_db


def url(name: str, inventory, member=None, *extra) -> str:
    args = [inventory.world.body.pk, inventory.campaign.pk]
    if member is not None:
        args.append(member.pk)
    return reverse(f"inventory:{name}", args=[*args, *extra])


def post_versioned(client, target: str, data: dict[str, str]):
    """Post an edit form as a browser does: with the version of the page it was opened on."""
    found = re.search(r'name="version" value="([0-9a-f]+)"', client.get(target).content.decode())
    return client.post(target, {**data, **({"version": found.group(1)} if found else {})})


def service_post(**overrides: str) -> dict[str, str]:
    data = {
        "service-mode": "regie",
        "service-activity_volume": "180",
        "service-activity_unit": "bulletins",
        "service-satisfaction": "4",
        "service-needs": "Un remplaçant pendant les congés.",
        "service-difficulties": "",
        "staff-fte_C": "0,3",
        "staff-cost_C": "11 400",
        "costs-chapter_011": "1250,50",
    }
    data.update(overrides)
    return data


def test_coordinator_opens_a_campaign(world, client_for):
    from tests.factories import DomainFactory

    rh = DomainFactory(pooling_body=world.body, code="rh")
    DomainFactory(pooling_body=world.body, code="voirie")
    response = client_for(world.pooling_admin).post(
        reverse("inventory:campaigns", args=[world.body.pk]),
        {"year": "2025", "deadline": "2025-06-30", "domains": [str(rh.pk)]},
    )
    campaign = Campaign.objects.get(pooling_body=world.body, year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:campaign", args=[world.body.pk, campaign.pk])
    assert list(campaign.domains.values_list("code", flat=True)) == ["rh"]
    assert campaign.status == "open" and not campaign.is_sample


def test_campaign_form_names_the_field_in_french(inventory, client_for):
    world = inventory.world
    response = client_for(world.pooling_admin).post(
        reverse("inventory:campaigns", args=[world.body.pk]), {"year": "2025", "domains": []}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Année de référence\u00a0: Une campagne existe déjà pour l&#x27;année 2025." in content
    assert "Domaines inventoriés\u00a0: Choisissez au moins un domaine à inventorier." in content
    assert Campaign.objects.count() == 1


def test_phase_navigation_leads_to_the_campaign_list(inventory, client_for):
    world = inventory.world
    response = client_for(world.elected_official).get(
        reverse("territories:phase", args=[world.body.pk, "diagnostic"])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:campaigns", args=[world.body.pk])
    page = client_for(world.elected_official).get(response["Location"])
    assert "État des lieux 2025" in page.content.decode()
    assert "Ouvrir une campagne" not in page.content.decode()


def test_referent_fills_in_a_domain_as_a_draft(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    page = client.get(url("service_edit", inventory, world.own_commune, inventory.rh.pk))
    assert page.status_code == 200
    assert "bulletins de paie par an" in page.content.decode()
    response = post_versioned(
        client, url("service_edit", inventory, world.own_commune, inventory.rh.pk), service_post()
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(member=world.own_commune, domain=inventory.rh)
    assert (record.mode, record.activity_volume, record.satisfaction) == ("regie", 180, 4)
    assert [(s.category, s.fte, s.cost_amount) for s in record.staff_lines.all()] == [
        ("C", Decimal("0.30"), Decimal("11400.00"))
    ]
    assert [(c.chapter, c.amount) for c in record.cost_lines.all()] == [("011", Decimal("1250.50"))]
    assert Submission.objects.get(member=world.own_commune).status == "draft"
    overview = client.get(response["Location"]).content.decode()
    assert "brouillon enregistré" in overview
    assert "12\u202f650,50\u00a0€" in overview or "12 650,50" in overview.replace("\u202f", " ")


def test_saving_again_replaces_the_lines(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    target = url("service_edit", inventory, world.own_commune, inventory.rh.pk)
    post_versioned(client, target, service_post())
    post_versioned(
        client, target, service_post(**{"staff-fte_C": "", "staff-cost_C": "", "staff-fte_B": "1"})
    )
    record = ServiceRecord.objects.get(member=world.own_commune, domain=inventory.rh)
    assert [s.category for s in record.staff_lines.all()] == ["B"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service-mode": ""}, "Mode de gestion\u00a0: Ce champ est obligatoire."),
        (
            {"service-satisfaction": "9"},
            "Satisfaction (1 à 5)\u00a0: Sélectionnez un choix valide.",
        ),
        (
            {"service-activity_volume": "-5"},
            "Volume d&#x27;activité\u00a0: Assurez-vous que cette valeur est supérieure ou "
            "égale à 0.",
        ),
        (
            {"service-activity_unit": ""},
            "Unité d&#x27;activité\u00a0: Précisez l&#x27;unité du volume d&#x27;activité.",
        ),
        ({"staff-fte_A": "abc"}, "Catégorie A — ETP\u00a0: Saisissez un nombre."),
        (
            {"staff-cost_B": "5000"},
            "Catégorie B — ETP\u00a0: Indiquez les ETP correspondant à ce coût.",
        ),
        (
            {"costs-chapter_65": "-1"},
            "65 — Autres charges de gestion courante\u00a0: Assurez-vous que cette valeur est "
            "supérieure ou égale à 0.",
        ),
    ],
)
def test_service_form_rejects_bad_data_naming_the_field(inventory, client_for, overrides, message):
    world = inventory.world
    response = client_for(world.member_agent).post(
        url("service_edit", inventory, world.own_commune, inventory.rh.pk),
        service_post(**overrides),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceRecord.objects.filter(member=world.own_commune).exists()


def test_referent_adds_an_asset_and_a_contract_without_javascript(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    assert client.get(url("assets", inventory, world.own_commune)).status_code == 200
    response = post_versioned(
        client,
        url("assets", inventory, world.own_commune),
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-kind": "vehicule",
            "rows-0-name": "Tracteur avec épareuse",
            "rows-0-acquisition_cost_amount": "85000",
            "rows-0-subsidies_amount": "",
            "rows-0-useful_life_years": "10",
            "rows-0-running_cost_amount": "3000",
            "rows-0-utilisation_rate": "15",
            "rows-0-shareable": "on",
        },
    )
    assert response.status_code == 302
    asset = Asset.objects.get(member=world.own_commune)
    assert asset.annualised_cost_amount == Decimal("11500.00")  # 85 000 / 10 + 3 000
    assert asset.campaign == inventory.campaign and asset.shareable
    response = post_versioned(
        client,
        url("contracts", inventory, world.own_commune),
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-kind": "logiciel",
            "rows-0-vendor": "Cosoluce",
            "rows-0-product": "Coloris",
            "rows-0-yearly_cost_amount": "1450",
            "rows-0-start_on": "2023-01-01",
            "rows-0-end_on": "2026-12-31",
            "rows-0-notice_period_months": "3",
        },
    )
    assert response.status_code == 302
    assert Contract.objects.get(member=world.own_commune).product == "Coloris"
    overview = client.get(url("member", inventory, world.own_commune)).content.decode()
    assert "Tracteur avec épareuse" in overview and "Coloris" in overview


def test_contract_dates_in_the_wrong_order_are_refused(inventory, client_for):
    world = inventory.world
    response = client_for(world.member_agent).post(
        url("contracts", inventory, world.own_commune),
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-kind": "logiciel",
            "rows-0-vendor": "Cosoluce",
            "rows-0-product": "Coloris",
            "rows-0-yearly_cost_amount": "1450",
            "rows-0-start_on": "2027-01-01",
            "rows-0-end_on": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert (
        "Date de fin\u00a0: La date de fin précède la date de début." in response.content.decode()
    )
    assert not Contract.objects.filter(member=world.own_commune).exists()


def test_asset_deletion_through_the_formset(inventory, client_for):
    world = inventory.world
    asset = Asset.objects.get(member=world.other_commune)
    response = post_versioned(
        client_for(world.pooling_admin),
        url("assets", inventory, world.other_commune),
        {
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "rows-0-id": str(asset.pk),
            "rows-0-kind": asset.kind,
            "rows-0-name": asset.name,
            "rows-0-DELETE": "on",
        },
    )
    assert response.status_code == 302
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_submission_makes_the_entry_read_only_until_reopened(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    edit_url = url("service_edit", inventory, world.own_commune, inventory.rh.pk)
    post_versioned(client, edit_url, service_post())
    response = client.post(url("submit", inventory, world.own_commune))
    assert response.status_code == 302
    submission = Submission.objects.get(member=world.own_commune)
    assert submission.status == "submitted"
    assert submission.submitted_by == world.member_agent and submission.submitted_at
    page = client.get(url("member", inventory, world.own_commune)).content.decode()
    assert "Cet état des lieux a été transmis" in page
    assert "Transmettre l&#x27;état des lieux" not in page
    assert (
        post_versioned(client, edit_url, service_post(**{"service-mode": "mutualise"})).status_code
        == 403
    )
    assert ServiceRecord.objects.get(member=world.own_commune).mode == "regie"

    coordinator = client_for(world.pooling_admin)
    matrix = coordinator.get(url("campaign", inventory)).content.decode()
    assert "Transmise" in matrix
    assert coordinator.post(url("reopen", inventory, world.own_commune)).status_code == 302
    assert Submission.objects.get(member=world.own_commune).status == "reopened"
    client = client_for(world.member_agent)
    assert (
        post_versioned(client, edit_url, service_post(**{"service-mode": "mutualise"})).status_code
        == 302
    )
    assert ServiceRecord.objects.get(member=world.own_commune).mode == "mutualise"


def test_nothing_to_submit_is_refused(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    response = client.post(url("submit", inventory, world.own_commune), follow=True)
    assert "Renseignez au moins un domaine avant de transmettre." in response.content.decode()
    assert not Submission.objects.filter(member=world.own_commune).exists()


def test_closed_campaign_is_read_only(inventory, client_for):
    world = inventory.world
    client_for(world.pooling_admin).post(url("campaign_status", inventory), {"status": "closed"})
    assert Campaign.objects.get().status == "closed"
    client = client_for(world.member_agent)
    response = client.post(
        url("service_edit", inventory, world.own_commune, inventory.rh.pk), service_post()
    )
    assert response.status_code == 403
    assert not ServiceRecord.objects.filter(member=world.own_commune).exists()


def test_reminders_go_to_referents_of_members_not_submitted(inventory, client_for):
    world = inventory.world
    world.member_agent.email = "referent@saint-essai.example"
    world.member_agent.save()
    other_referent = UserFactory(username="ref2", email="mairie@bourg-temoin.example")
    RoleFactory(
        user=other_referent, pooling_body=world.body, name="referent", member=world.other_commune
    )
    Submission.objects.create(
        campaign=inventory.campaign, member=world.other_commune, status="submitted"
    )
    response = client_for(world.pooling_admin).post(url("remind", inventory), follow=True)
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["referent@saint-essai.example"]]
    message = mail.outbox[0]
    assert "Saint-Essai" in message.subject
    assert "30/06/2025" in message.body
    assert url("member", inventory, world.own_commune) in message.body
    assert "1 relance(s) envoyée(s)." in response.content.decode()


def test_export_download_is_an_xlsx_workbook(inventory, client_for):
    response = client_for(inventory.world.elected_official).get(url("export", inventory))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "etat-des-lieux-2025-200000001.xlsx" in response["Content-Disposition"]
    assert workbook.read_campaign_key(response.content, "x.xlsx")[:2] == ("200000001", 2025)


def test_referent_export_holds_only_its_commune(inventory, client_for):
    from tests.inventory.workbook_helpers import rows

    response = client_for(inventory.world.member_agent).get(url("export", inventory))
    assert {r["Code membre"] for r in rows(response.content, "Services")} == {"21001"}


def test_upload_shows_a_preview_and_applies_it_once_confirmed(inventory, client_for):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Services", {(5, "Mode de gestion"): "externalise"})
    client = client_for(inventory.world.pooling_admin)
    response = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("rempli.xlsx", data)}
    )
    assert response.status_code == 302
    assert not ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()
    preview = client.get(response["Location"])
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "est encore enregistré." in content
    assert "Saint-Essai — feuille Services" in content
    assert "Mode de gestion : — → externalise" in content
    digest = preview.context["preview"]["digest"]
    done = client.post(response["Location"], {"digest": digest, "confirm": ""})
    assert done.status_code == 302
    assert ServiceRecord.objects.get(member=inventory.world.own_commune).mode == "externalise"
    log = ImportLog.objects.get()
    assert (log.file_name, log.user, log.created_count) == (
        "rempli.xlsx",
        inventory.world.pooling_admin,
        1,
    )
    assert done["Location"] == reverse(
        "inventory:import_log", args=[inventory.world.body.pk, inventory.campaign.pk, log.pk]
    )
    assert client.get(response["Location"]).status_code == 404  # the upload is forgotten


def test_upload_lists_every_problem_and_stores_nothing(inventory, client_for):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Services", {(5, "Mode de gestion"): "regie", (5, "Volume d'activité"): -1})
    data = edit(data, "Contrats", {(3, "Coût annuel (€)"): "cher"})
    response = client_for(inventory.world.pooling_admin).post(
        url("import", inventory), {"file": SimpleUploadedFile("rempli.xlsx", data)}
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "2 erreurs : rien n'a été enregistré." in content
    assert "le nombre ne peut pas être négatif (-1)." in content
    assert "« cher » n&#x27;est pas un nombre." in content
    assert not ServiceRecord.objects.filter(member=inventory.world.own_commune).exists()
    assert not ImportLog.objects.exists()


def test_upload_of_a_non_xlsx_file_is_refused(inventory, client_for):
    response = client_for(inventory.world.pooling_admin).post(
        url("import", inventory), {"file": SimpleUploadedFile("notes.txt", b"bonjour")}
    )
    assert response.status_code == 400
    assert "« notes.txt » n&#x27;est pas un classeur Excel au format .xlsx." in (
        response.content.decode()
    )


def test_upload_over_the_size_limit_is_refused(inventory, client_for, settings):
    settings.INVENTORY_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("gros.xlsx", b"PK" + b"0" * (2 * 1024 * 1024 + 10))
    response = client_for(inventory.world.pooling_admin).post(
        url("import", inventory), {"file": big}
    )
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale de 2 Mo." in response.content.decode()


def test_referent_upload_of_the_whole_body_reads_only_its_commune(inventory, client_for):
    data = workbook.export_workbook(inventory.campaign)
    client = client_for(inventory.world.member_agent)
    response = client.post(
        url("import", inventory), {"file": SimpleUploadedFile("tout.xlsx", data)}
    )
    assert response.status_code == 302
    content = client.get(response["Location"]).content.decode()
    assert "Feuille « Services », lignes 3 et 4 : lignes de Bourg-Témoin ignorées" in content
    assert "Ce classeur ne change rien." in content
    assert ServiceRecord.objects.count() == 1 and not ImportLog.objects.exists()


def test_sample_campaign_pages_show_the_banner(inventory, client_for):
    inventory.campaign.is_sample = True
    inventory.campaign.save()
    client = client_for(inventory.world.pooling_admin)
    for page in (
        url("campaign", inventory),
        url("member", inventory, inventory.world.other_commune),
        url("import", inventory),
        reverse("inventory:campaigns", args=[inventory.world.body.pk]),
    ):
        assert "Données fictives de démonstration" in client.get(page).content.decode()


def _add_members(inventory, count: int) -> None:
    for _ in range(count):
        member = MemberFactory(pooling_body=inventory.world.body)
        ServiceRecordFactory(campaign=inventory.campaign, member=member, domain=inventory.rh)
        Submission.objects.create(campaign=inventory.campaign, member=member)


def _count_queries(client, target: str, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(target).status_code == 200
    return len(captured)


def test_completion_matrix_query_count_does_not_grow_with_members(
    inventory, client_for, django_assert_max_num_queries
):
    client = client_for(inventory.world.pooling_admin)
    _add_members(inventory, 2)
    small = _count_queries(client, url("campaign", inventory), django_assert_max_num_queries)
    _add_members(inventory, 30)
    with django_assert_max_num_queries(small):
        response = client.get(url("campaign", inventory))
    assert response.content.decode().count("Brouillon") >= 32


def test_member_entry_page_query_count_does_not_grow_with_members_or_answers(
    inventory, client_for, django_assert_max_num_queries
):
    client = client_for(inventory.world.pooling_admin)
    target = url("member", inventory, inventory.world.other_commune)
    small = _count_queries(client, target, django_assert_max_num_queries)
    _add_members(inventory, 30)
    ServiceRecordFactory(
        campaign=inventory.campaign, member=inventory.world.other_commune, domain=inventory.voirie
    )
    with django_assert_max_num_queries(small):
        assert client.get(target).status_code == 200


def test_import_page_for_referent_says_own_commune_only(inventory, client_for):
    response = client_for(inventory.world.member_agent).get(url("import", inventory))
    assert "Seules les lignes de votre commune sont lues" in response.content.decode()


def test_campaign_page_links_to_its_diagnostic(inventory, client_for):
    page = client_for(inventory.world.elected_official).get(url("campaign", inventory))
    dashboard = reverse(
        "diagnostic:dashboard", args=[inventory.world.body.pk, inventory.campaign.pk]
    )
    assert f'href="{dashboard}"' in page.content.decode()


# The pages of the load run (benchmarks/bench_load.py): fixed query counts, whatever the
# number of communes, answers and lines.
MEMBER_PAGE_QUERIES = 12  # session, user, campaign and body, roles, member, submission and
# its two users, records, staff lines, cost lines, domains, contracts, assets
SERVICE_FORM_QUERIES = 10  # session, user, campaign and body, roles, member, domain,
# submission, record, staff lines, cost lines


def test_member_page_names_who_submitted_and_reopened_in_fixed_queries(
    inventory, client_for, django_assert_max_num_queries
):
    from django.utils import timezone

    from tests.inventory.factories import CostLineFactory, StaffLineFactory

    commune = inventory.world.other_commune
    Submission.objects.create(
        campaign=inventory.campaign,
        member=commune,
        status=Submission.Status.REOPENED,
        submitted_at=timezone.now(),
        submitted_by=inventory.world.member_agent,
        reopened_at=timezone.now(),
        reopened_by=inventory.world.pooling_admin,
    )
    client = client_for(inventory.world.pooling_admin)
    target = url("member", inventory, commune)
    with django_assert_max_num_queries(MEMBER_PAGE_QUERIES):
        page = client.get(target).content.decode()
    assert inventory.world.member_agent.username in page
    assert inventory.world.pooling_admin.username in page
    _add_members(inventory, 30)
    record = ServiceRecordFactory(
        campaign=inventory.campaign, member=commune, domain=inventory.voirie
    )
    StaffLineFactory(service=record, category="A", fte=Decimal("1"), cost_amount="50000.00")
    CostLineFactory(service=record, chapter="012", amount="10.00")
    with django_assert_max_num_queries(MEMBER_PAGE_QUERIES):
        assert client.get(target).status_code == 200


def test_service_form_reads_its_lines_once_and_its_version_still_saves(
    inventory, client_for, django_assert_max_num_queries
):
    from tests.inventory.factories import CostLineFactory, StaffLineFactory

    commune = inventory.world.other_commune
    target = url("service_edit", inventory, commune, inventory.rh.pk)
    client = client_for(inventory.world.pooling_admin)
    with django_assert_max_num_queries(SERVICE_FORM_QUERIES):
        assert client.get(target).status_code == 200
    _add_members(inventory, 30)
    record = ServiceRecord.objects.get(
        campaign=inventory.campaign, member=commune, domain=inventory.rh
    )
    StaffLineFactory(service=record, category="A", fte=Decimal("1"), cost_amount="50000.00")
    CostLineFactory(service=record, chapter="012", amount="10.00")
    with django_assert_max_num_queries(SERVICE_FORM_QUERIES):
        page = client.get(target).content.decode()
    assert 'value="50000' in page
    response = post_versioned(client, target, service_post(**{"staff-fte_A": "2"}))
    assert response.status_code == 302
    record.refresh_from_db()
    assert {s.category: s.fte for s in record.staff_lines.all()}["A"] == Decimal("2")
