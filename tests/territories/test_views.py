"""Behaviour of the territory pages: content, forms and what they store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from mutualis.territories.models import Domain, PoolingBody
from tests.factories import CommuneFactory, EpciFactory, MemberFactory, MembershipFactory
from tests.inventory.test_views import post_versioned

pytestmark = pytest.mark.django_db


def test_territory_page_lists_members_populations_and_membership_dates(world, client_for):
    MembershipFactory(member=world.other_commune, joined_on="2015-01-01", left_on="2018-06-30")
    response = client_for(world.elected_official).get(
        reverse("territories:detail", args=[world.body.pk])
    )
    page = response.content.decode()
    assert "Bourg-Témoin" in page and "Saint-Essai" in page
    assert "depuis le 01/01/2015 jusqu'au 30/06/2018" in page
    assert "1\u202f020" in page  # 2 × 510 inhabitants, narrow no-break space


def test_territory_page_query_count_does_not_grow_with_members(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.pooling_admin)
    url = reverse("territories:detail", args=[world.body.pk])
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for _ in range(30):
        MembershipFactory(member=MemberFactory(pooling_body=world.body))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_referent_edits_own_commune_limited_fields(world, client_for):
    url = reverse("territories:member_edit", args=[world.body.pk, world.own_commune.pk])
    client = client_for(world.member_agent)
    response = post_versioned(
        client,
        url,
        {"population_dgf": "612", "latitude": "47.4361", "longitude": "4.7886", "name": "Pirate"},
    )
    assert response.status_code == 302
    world.own_commune.refresh_from_db()
    assert world.own_commune.population_dgf == 612
    assert world.own_commune.name == "Saint-Essai"  # not a field a référent may change
    assert world.own_commune.history.first().history_user == world.member_agent


def test_member_form_rejects_bad_coordinates_in_french(world, client_for):
    url = reverse("territories:member_edit", args=[world.body.pk, world.own_commune.pk])
    response = client_for(world.member_agent).post(url, {"latitude": "123", "longitude": "x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Latitude\u00a0: Assurez-vous que cette valeur est inférieure ou égale à 90" in page
    assert "Longitude\u00a0: Saisissez un nombre" in page
    world.own_commune.refresh_from_db()
    assert world.own_commune.latitude is None


def test_attribute_is_added_with_source_and_year(world, client_for):
    url = reverse("territories:attribute_add", args=[world.body.pk, world.own_commune.pk])
    response = client_for(world.member_agent).post(
        url,
        {
            "key": "potentiel_financier",
            "label": "Potentiel financier",
            "value": "412318.50",
            "unit": "€",
            "year": "2025",
            "source": "Fiche DGF 2025",
        },
    )
    assert response.status_code == 302
    attribute = world.own_commune.attributes.get()
    assert attribute.value == Decimal("412318.50")
    assert attribute.source == "Fiche DGF 2025"


def test_attribute_form_names_the_missing_fields(world, client_for):
    url = reverse("territories:attribute_add", args=[world.body.pk, world.own_commune.pk])
    response = client_for(world.pooling_admin).post(url, {"key": "x", "value": "-", "year": "3000"})
    page = response.content.decode()
    assert "Libellé\u00a0: Ce champ est obligatoire" in page
    assert "Source\u00a0: Ce champ est obligatoire" in page
    assert "Valeur\u00a0: Saisissez un nombre" in page
    assert not world.own_commune.attributes.exists()


def test_admin_adds_a_membership_period_and_overlap_is_refused(world, client_for):
    url = reverse("territories:membership_add", args=[world.body.pk, world.other_commune.pk])
    client = client_for(world.pooling_admin)
    response = client.post(url, {"joined_on": "2018-01-01", "left_on": "2019-12-31"})
    assert response.status_code == 302
    response = client.post(url, {"joined_on": "2025-01-01"})
    assert "chevauche" in response.content.decode()
    response = client.post(url, {"joined_on": "2012-01-01", "left_on": "2011-01-01"})
    assert "Date de retrait\u00a0: La date de retrait précède" in response.content.decode()
    assert world.other_commune.memberships.count() == 2


def test_domains_are_editable_by_the_admin_with_unique_codes(world, client_for):
    client = client_for(world.pooling_admin)
    url = reverse("territories:domain_add", args=[world.body.pk])
    data = {"code": "piscine", "name": "Piscine", "family": "operational", "position": "3"}
    assert client.post(url, {**data, "is_active": "on"}).status_code == 302
    response = client.post(url, data)
    assert "Code\u00a0: Ce code de domaine est déjà utilisé" in response.content.decode()
    assert Domain.objects.filter(pooling_body=world.body, code="piscine").count() == 1
    # the same code in another body is fine
    assert not Domain.objects.filter(pooling_body=world.other_body).exists()


def test_unbuilt_phase_says_so(world, client_for):
    response = client_for(world.elected_official).get(
        reverse("territories:phase", args=[world.body.pk, "evaluation"])
    )
    assert "pas encore disponible" in response.content.decode()
    unknown = reverse("territories:phase", args=[world.body.pk, "inconnue"])
    assert client_for(world.elected_official).get(unknown).status_code == 404


def test_platform_admin_creates_a_body_from_an_epci_siren(world, client_for):
    epci = EpciFactory(siren="200077777", name="CC Web")
    CommuneFactory(epci=epci, name="Webville")
    client = client_for(world.platform_admin)
    response = client.post(reverse("territories:create"), {"siren": "200077777"}, follow=True)
    body = PoolingBody.objects.get(siren="200077777")
    assert response.redirect_chain[-1][0] == reverse("territories:detail", args=[body.pk])
    assert "Webville" in response.content.decode()


@pytest.mark.parametrize(
    ("siren", "message"),
    [("123", "9 chiffres"), ("999999999", "Aucun EPCI"), ("200000001", "existe déjà")],
)
def test_create_form_reports_bad_siren(world, client_for, siren, message):
    if siren == "200000001":
        CommuneFactory(epci=EpciFactory(siren=siren))
    count = PoolingBody.objects.count()
    response = client_for(world.platform_admin).post(
        reverse("territories:create"), {"siren": siren}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PoolingBody.objects.count() == count
