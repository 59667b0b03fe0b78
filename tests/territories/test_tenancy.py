"""Every tenant view: another body's user gets 404, a référent edits only its commune."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import World
from tests.factories import DomainFactory

Route = Callable[[World], str]

# name -> builder of a URL pointing at `world.body`'s objects
TENANT_ROUTES: dict[str, Route] = {
    "territories:detail": lambda w: reverse("territories:detail", args=[w.body.pk]),
    "territories:settings": lambda w: reverse("territories:settings", args=[w.body.pk]),
    "territories:member": lambda w: reverse(
        "territories:member", args=[w.body.pk, w.other_commune.pk]
    ),
    "territories:member_edit": lambda w: reverse(
        "territories:member_edit", args=[w.body.pk, w.other_commune.pk]
    ),
    "territories:attribute_add": lambda w: reverse(
        "territories:attribute_add", args=[w.body.pk, w.other_commune.pk]
    ),
    "territories:membership_add": lambda w: reverse(
        "territories:membership_add", args=[w.body.pk, w.other_commune.pk]
    ),
    "territories:domains": lambda w: reverse("territories:domains", args=[w.body.pk]),
    "territories:domain_add": lambda w: reverse("territories:domain_add", args=[w.body.pk]),
    "territories:domain_edit": lambda w: reverse(
        "territories:domain_edit",
        args=[w.body.pk, DomainFactory(pooling_body=w.body).pk],
    ),
    "territories:phase": lambda w: reverse("territories:phase", args=[w.body.pk, "diagnostic"]),
    "accounts:roles": lambda w: reverse("accounts:roles", args=[w.body.pk]),
    "accounts:role_revoke": lambda w: reverse(
        "accounts:role_revoke", args=[w.body.pk, w.body.roles.first().pk]
    ),
}
# Views outside a pooling body, with their own rules tested elsewhere.
# POST-only actions answer 405 to a GET before anything is looked up.
POST_ONLY = {"accounts:role_revoke"}
GLOBAL_ROUTES = {"home", "territories:create", "accounts:login", "accounts:logout", "healthz"}


def _named_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _named_routes(pattern.url_patterns, ns)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def tenancy_tables() -> dict[str, dict[str, Route] | set[str]]:
    """Every module-level dict named `*_ROUTES` of every `tests/*/test_tenancy.py`.

    A new app adds its own `tests/<app>/test_tenancy.py` with such a table; nothing to
    edit here.
    """
    tables: dict[str, dict[str, Route] | set[str]] = {}
    for path in sorted(Path(__file__).parents[1].glob("*/test_tenancy.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.test_tenancy")
        for name, value in vars(module).items():
            if name.endswith("_ROUTES") and isinstance(value, dict | set | frozenset):
                tables[f"{path.parent.name}.{name}"] = value
    return tables


def test_every_named_view_is_in_the_tenancy_table() -> None:
    tables = tenancy_tables()
    assert "inventory.INVENTORY_ROUTES" in tables
    covered = set(GLOBAL_ROUTES).union(*tables.values())
    untested = _named_routes(get_resolver().url_patterns) - covered
    assert untested == set(), (
        f"add these views to a *_ROUTES table of a tests/*/test_tenancy.py: {sorted(untested)}"
    )


@pytest.mark.parametrize("route", sorted(TENANT_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(world: World, client_for, route: str, method: str):
    url = TENANT_ROUTES[route](world)
    response = getattr(client_for(world.outsider), method)(url, {})
    assert response.status_code == (405 if method == "get" and route in POST_ONLY else 404)


@pytest.mark.parametrize("route", sorted(TENANT_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.post(TENANT_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "route", ["territories:member", "territories:member_edit", "territories:attribute_add"]
)
def test_member_of_another_body_is_404_even_inside_own_body_url(world, client_for, route):
    url = reverse(route, args=[world.body.pk, world.foreign_commune.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


@pytest.mark.parametrize(
    "route", ["territories:member_edit", "territories:attribute_add", "territories:membership_add"]
)
def test_referent_cannot_edit_another_commune(world: World, client_for, route: str):
    url = reverse(route, args=[world.body.pk, world.other_commune.pk])
    client = client_for(world.member_agent)
    before = world.other_commune.attributes.count(), world.other_commune.memberships.count()
    response = client.post(
        url,
        {
            "population_dgf": "999",
            "key": "x",
            "label": "x",
            "value": "1",
            "year": "2025",
            "source": "x",
            "joined_on": "2025-01-01",
        },
    )
    assert response.status_code == 403
    world.other_commune.refresh_from_db()
    assert world.other_commune.population_dgf is None
    after = world.other_commune.attributes.count(), world.other_commune.memberships.count()
    assert after == before


@pytest.mark.parametrize("persona", ["elected_official", "finance_officer"])
@pytest.mark.parametrize(
    "route", ["territories:member_edit", "territories:domain_add", "territories:membership_add"]
)
def test_read_only_roles_cannot_edit(world: World, client_for, persona: str, route: str):
    if route == "territories:domain_add":
        url = reverse(route, args=[world.body.pk])
    else:
        url = reverse(route, args=[world.body.pk, world.own_commune.pk])
    assert client_for(world.persona(persona)).get(url).status_code == 403


@pytest.mark.parametrize(
    "persona", ["pooling_admin", "finance_officer", "elected_official", "member_agent"]
)
def test_every_role_of_the_body_reads_the_territory_page(world, client_for, persona):
    response = client_for(world.persona(persona)).get(
        reverse("territories:detail", args=[world.body.pk])
    )
    assert response.status_code == 200
    assert "Saint-Essai" in response.content.decode()
    assert "Lointaine" not in response.content.decode()
