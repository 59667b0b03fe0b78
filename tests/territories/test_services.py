from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from mutualis.accounts import services as accounts
from mutualis.accounts.models import Role
from mutualis.accounts.services import RoleError, grant_role
from mutualis.refdata.services import UnknownEpci
from mutualis.territories import services
from mutualis.territories.domains import DEFAULT_DOMAINS
from mutualis.territories.models import Member, Membership, PoolingBody
from tests.factories import CommuneFactory, EpciFactory, MemberFactory, UserFactory

EPCI_JSON = (
    Path(__file__).resolve().parents[2]
    / "node_modules/@etalab/decoupage-administratif/data/epci.json"
)


@pytest.mark.django_db
def test_create_from_epci_copies_members_populations_and_domains():
    epci = EpciFactory(siren="200099999", name="CC des Essais")
    CommuneFactory(epci=epci, insee_code="21010", name="Alpha", population_municipale=300)
    CommuneFactory(
        epci=epci,
        insee_code="21011",
        name="Bêta",
        population_municipale=120,
        population_municipale_dgcl=118,
        population_totale=125,
    )
    CommuneFactory(insee_code="21012", name="Ailleurs")  # another EPCI
    creator = UserFactory()

    body = accounts.create_pooling_body_from_epci(" 200099999 ", created_by=creator)

    assert (body.name, body.kind, body.siren) == ("CC des Essais", "epci", "200099999")
    members = {m.insee_code: m for m in body.members.all()}
    assert set(members) == {"21010", "21011"}
    assert members["21011"].population_municipale == 118  # DGCL figure preferred
    assert members["21011"].population_totale == 125
    assert members["21010"].population_municipale == 300
    assert Membership.objects.filter(member__pooling_body=body).count() == 2
    assert body.domains.count() == len(DEFAULT_DOMAINS)
    assert Role.objects.get(user=creator).name == Role.Name.ADMIN
    assert Member.history.filter(pooling_body_id=body.pk).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siren", "message"),
    [("12345", "9 chiffres"), ("200000000", "Aucun EPCI"), ("abcdefghi", "9 chiffres")],
)
def test_create_from_bad_siren_stores_nothing(siren, message):
    with pytest.raises(UnknownEpci, match=message):
        services.create_pooling_body_from_epci(siren)
    assert PoolingBody.objects.count() == 0


@pytest.mark.django_db
def test_create_twice_is_refused():
    epci = EpciFactory(siren="200088888")
    CommuneFactory(epci=epci)
    services.create_pooling_body_from_epci("200088888")
    with pytest.raises(services.TerritoryError, match="existe déjà"):
        services.create_pooling_body_from_epci("200088888")
    assert PoolingBody.objects.count() == 1


@pytest.mark.django_db
def test_membership_periods_may_not_overlap(world):
    member = world.own_commune  # member since 2024-01-01, open-ended
    with pytest.raises(services.TerritoryError, match="chevauche"):
        services.add_membership(member, date(2025, 1, 1), None)
    with pytest.raises(services.TerritoryError, match="précède"):
        services.add_membership(member, date(2020, 1, 1), date(2019, 1, 1))
    services.add_membership(member, date(2019, 1, 1), date(2020, 12, 31))
    assert member.memberships.count() == 2


@pytest.mark.django_db
def test_referent_role_must_name_a_commune_of_the_same_body(world):
    user = UserFactory()
    with pytest.raises(RoleError):
        grant_role(user, world.body, Role.Name.REFERENT)
    with pytest.raises(RoleError):
        grant_role(user, world.body, Role.Name.REFERENT, world.foreign_commune)
    with pytest.raises(RoleError):
        grant_role(user, world.body, Role.Name.ADMIN, world.own_commune)
    assert not Role.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_set_attribute_updates_the_same_year_and_keeps_history(world):
    member = MemberFactory(pooling_body=world.body)
    for value in ("10", "12.5"):
        services.set_attribute(
            member,
            key="km_voirie",
            label="Voirie",
            value=Decimal(value),
            year=2025,
            source="Service voirie",
            unit="km",
        )
    attribute = member.attributes.get()
    assert attribute.value == Decimal("12.5")
    assert attribute.history.count() == 2


@pytest.mark.django_db
def test_demo_epci_has_its_25_communes_and_population(refdata):
    body = services.create_pooling_body_from_epci("200039063")
    assert body.name == "CC Forêts, Seine et Suzon"
    assert body.members.count() == 25
    totals = body.members.aggregate(m=Sum("population_municipale"), t=Sum("population_totale"))
    assert totals == {"m": 7054, "t": 7189}
    messigny = body.members.get(insee_code="21408")
    assert (messigny.name, messigny.population_totale) == ("Messigny-et-Vantoux", 1723)


@pytest.mark.django_db
def test_every_epci_siren_gives_exactly_its_member_communes(refdata):
    """All 1,255 EPCI of the COG 2026, checked against the npm package's own epci.json."""
    if not EPCI_JSON.is_file():
        pytest.skip("node_modules absent : lancez « npm ci ».")
    source = json.loads(EPCI_JSON.read_text(encoding="utf-8"))
    for epci in source:
        body = services.create_pooling_body_from_epci(epci["code"])
        got = set(body.members.values_list("insee_code", flat=True))
        assert got == {m["code"] for m in epci["membres"]}, epci["nom"]
    assert PoolingBody.objects.count() == len(source) == 1255
