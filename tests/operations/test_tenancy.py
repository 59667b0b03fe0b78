"""Every pilotage view: outsider 404, anonymous to login, référent limited to its commune,
database unchanged after refused requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from mutualis.operations import services
from mutualis.operations.models import (
    AcBase,
    Offer,
    SharedService,
    Statement,
    StatementLine,
    TariffBand,
    UnitEntry,
)
from tests.conftest import World
from tests.operations.conftest import make_service

Route = Callable[[World], str]
YEAR = 2026


def _service(w: World) -> SharedService:
    return SharedService.objects.filter(pooling_body=w.body).first() or make_service(w)


def _statement(w: World, member_attr: str = "other_commune") -> Statement:
    member = getattr(w, member_attr)
    found = Statement.objects.filter(pooling_body=w.body, member=member).first()
    if found:
        return found
    return Statement.objects.create(
        pooling_body=w.body,
        member=member,
        number=f"{YEAR}-{member.pk:05d}",
        kind="periodic",
        year=YEAR,
        period_label="1er trimestre 2026",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        total_amount=Decimal("10.00"),
    )


def _offer(w: World) -> Offer:
    return Offer.objects.filter(pooling_body=w.body).first() or Offer.objects.create(
        pooling_body=w.body,
        code="dpo",
        name="DPO mutualisé",
        category="dpo",
        tariff_model="flat",
        amount=Decimal("900"),
    )


def _service_url(name: str, *extra: object) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _service(w).pk, YEAR, *extra])


def _statement_url(name: str, *extra: object) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _statement(w).pk, *extra])


def _year_url(name: str, *extra: object) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, YEAR, *extra])


OPERATIONS_ROUTES: dict[str, Route] = {
    "operations:index": lambda w: reverse("operations:index", args=[w.body.pk]),
    "operations:service": _service_url("operations:service"),
    "operations:units": _service_url("operations:units"),
    "operations:units_import": _service_url("operations:units_import"),
    "operations:units_template": _service_url("operations:units_template"),
    "operations:statements": _year_url("operations:statements"),
    "operations:statements_file": _year_url("operations:statements_file", "xlsx"),
    "operations:titles": _year_url("operations:titles", "csv"),
    "operations:ac": _year_url("operations:ac"),
    "operations:statement": _statement_url("operations:statement"),
    "operations:statement_action": _statement_url("operations:statement_action"),
    "operations:statement_correct": _statement_url("operations:statement_correct"),
    "operations:statement_file": _statement_url("operations:statement_file", "xlsx"),
    "operations:catalogue": lambda w: reverse("operations:catalogue", args=[w.body.pk]),
    "operations:dashboard": lambda w: reverse("operations:dashboard", args=[w.body.pk]),
    "operations:service_edit": lambda w: reverse(
        "operations:service_edit", args=[w.body.pk, _service(w).pk]
    ),
    "operations:offer_create": lambda w: reverse("operations:offer_create", args=[w.body.pk]),
    "operations:offer_edit": lambda w: reverse(
        "operations:offer_edit", args=[w.body.pk, _offer(w).pk]
    ),
    "operations:ac_base_edit": lambda w: reverse(
        "operations:ac_base_edit", args=[w.body.pk, YEAR, w.own_commune.pk]
    ),
}
# Readable without logging in when the body publishes its catalogue (tested in test_views).
OPERATIONS_PUBLIC_ROUTES = {"operations:public_catalogue"}
POST_ONLY = {"operations:statement_action"}
FINANCE_ONLY = [
    "operations:units_import",
    "operations:units_template",
    "operations:titles",
    "operations:ac",
    "operations:statement_correct",
    "operations:service_edit",
    "operations:offer_create",
    "operations:offer_edit",
    "operations:ac_base_edit",
]


def _state() -> tuple[object, ...]:
    return (
        list(SharedService.objects.values_list("name", "convention_id", "signed_on")),
        list(Offer.objects.values_list("code", "name", "amount")),
        TariffBand.objects.count(),
        list(AcBase.objects.values_list("member_id", "amount")),
        Statement.objects.count(),
        StatementLine.objects.count(),
        UnitEntry.objects.count(),
    )


@pytest.mark.parametrize("route", sorted(OPERATIONS_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(world: World, client_for, route: str, method: str):
    statement = _statement(world)
    url = OPERATIONS_ROUTES[route](world)
    before = _state()
    response = getattr(client_for(world.outsider), method)(
        url, {"action": "validate", "name": "x", "u-1-1": "3"}
    )
    assert response.status_code == 404
    assert _state() == before
    statement.refresh_from_db()
    assert statement.status == "draft"


@pytest.mark.parametrize("route", sorted(OPERATIONS_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.get(OPERATIONS_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["member_agent", "elected_official"])
@pytest.mark.parametrize("route", [*FINANCE_ONLY, "operations:statement_action"])
def test_finance_routes_are_refused_to_readers(world: World, client_for, persona, route):
    url = OPERATIONS_ROUTES[route](world)
    if route == "operations:statement_correct" or route == "operations:statement_action":
        url = reverse(route, args=[world.body.pk, _statement(world, "own_commune").pk])
    before = _state()
    response = client_for(world.persona(persona)).post(url, {"action": "validate"})
    assert response.status_code == 403
    assert _state() == before


def test_referent_sees_only_its_communes_statements(world: World, client_for):
    own = _statement(world, "own_commune")
    other = _statement(world, "other_commune")
    client = client_for(world.member_agent)
    assert (
        client.get(reverse("operations:statement", args=[world.body.pk, own.pk])).status_code == 200
    )
    assert (
        client.get(reverse("operations:statement", args=[world.body.pk, other.pk])).status_code
        == 404
    )
    page = client.get(reverse("operations:statements", args=[world.body.pk, YEAR])).content.decode()
    assert own.number in page
    assert other.number not in page


def test_referent_enters_units_only_for_its_commune(world: World, client_for):
    service = _service(world)
    client = client_for(world.member_agent)
    url = reverse("operations:units", args=[world.body.pk, service.pk, YEAR])
    page = client.get(url).content.decode()
    assert "Saint-Essai" in page and "Bourg-Témoin" not in page
    client.post(url, {f"u-{world.other_commune.pk}-1": "9", f"u-{world.own_commune.pk}-1": "4"})
    entries = list(UnitEntry.objects.values_list("member_id", "units", "origin"))
    assert entries == [(world.own_commune.pk, Decimal("4.000"), "referent")]


def test_referent_sees_only_its_subscriptions(world: World, client_for):
    offer = Offer.objects.create(
        pooling_body=world.body,
        code="dpo",
        name="DPO mutualisé",
        category="dpo",
        tariff_model="flat",
        amount=Decimal("900"),
    )
    services.subscribe(offer, world.own_commune, date(2026, 1, 1), None)
    services.subscribe(offer, world.other_commune, date(2026, 1, 1), None)
    page = (
        client_for(world.member_agent)
        .get(reverse("operations:catalogue", args=[world.body.pk]))
        .content.decode()
    )
    assert "Saint-Essai" in page and "Bourg-Témoin" not in page


def test_another_body_statement_is_404_inside_own_body_url(world: World, client_for):
    foreign = Statement.objects.create(
        pooling_body=world.other_body,
        member=world.foreign_commune,
        number="2026-00001",
        kind="periodic",
        year=YEAR,
        period_label="x",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )
    url = reverse("operations:statement", args=[world.body.pk, foreign.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


@pytest.mark.parametrize(
    ("route", "model"),
    [("operations:offer_edit", "offer"), ("operations:ac_base_edit", "member")],
)
def test_another_bodys_offer_or_member_is_404_inside_own_body_url(
    world: World, client_for, route: str, model: str
):
    foreign_offer = Offer.objects.create(
        pooling_body=world.other_body, code="x", name="X", category="other", tariff_model="flat"
    )
    url = (
        reverse(route, args=[world.body.pk, foreign_offer.pk])
        if model == "offer"
        else reverse(route, args=[world.body.pk, YEAR, world.foreign_commune.pk])
    )
    before = _state()
    client = client_for(world.finance_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": "1", "name": "Y"}).status_code == 404
    assert _state() == before
