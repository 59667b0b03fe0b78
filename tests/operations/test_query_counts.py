"""Every pilotage page runs the same number of queries with 3 members as with 12.

The pages are counted once per size (after a first, warming request) and the counts
compared: a page whose count grew would run a query per member (or per line)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import AcBase, Statement
from mutualis.operations.services import UnitRow
from mutualis.territories.models import Member
from tests.factories import MemberFactory, MembershipFactory
from tests.operations.conftest import Ops, determine, make_service

YEAR = 2026


def _join(ops: Ops, member: Member, n: int) -> None:
    """A member in both services, with units for three months, an AC base and a
    subscription to the catalogue's offer."""
    for service in ops.world.body.shared_services.all():
        if not service.participations.filter(member=member).exists():
            service.participations.create(member=member, start_on=date(2025, 1, 1))
        rows = [UnitRow(m, member.code, m, Decimal(n + m)) for m in (1, 2, 3)]
        services.record_units(service, YEAR, rows, origin="typed")
    AcBase.objects.create(member=member, year=YEAR, amount=Decimal(100000 + n))
    services.subscribe(ops.offer, member, date(2026, 1, 1), None)


def _grow_to(ops: Ops, size: int) -> None:
    body = ops.world.body
    while Member.objects.filter(pooling_body=body).count() < size:
        member = MemberFactory(pooling_body=body)
        MembershipFactory(member=member)
        _join(ops, member, member.pk)
    services.generate_statements(body, YEAR, Frequency.QUARTERLY, 1)
    # Issued, so that the bordereau of titles lists every member's.
    for statement in Statement.objects.filter(pooling_body=body, status="draft"):
        services.change_status(statement, "validate")
        services.change_status(statement, "issue")


def _pages(ops: Ops) -> dict[str, str]:
    body = ops.world.body
    own = Statement.objects.get(member=ops.world.own_commune, year=YEAR, kind="periodic")
    service = ops.service
    offer = ops.offer
    member = ops.world.own_commune
    b = body.pk
    return {
        "index": reverse("operations:index", args=[b]),
        "service": reverse("operations:service", args=[b, service.pk, YEAR]),
        "service_edit": reverse("operations:service_edit", args=[b, service.pk]),
        "units": reverse("operations:units", args=[b, service.pk, YEAR]),
        "units_import": reverse("operations:units_import", args=[b, service.pk, YEAR]),
        "units_template": reverse("operations:units_template", args=[b, service.pk, YEAR]),
        "statements": reverse("operations:statements", args=[b, YEAR]),
        "statement": reverse("operations:statement", args=[b, own.pk]),
        "statement_correct": reverse("operations:statement_correct", args=[b, own.pk]),
        "statement_xlsx": reverse("operations:statement_file", args=[b, own.pk, "xlsx"]),
        "titles_csv": reverse("operations:titles", args=[b, YEAR, "csv"]),
        "titles_xlsx": reverse("operations:titles", args=[b, YEAR, "xlsx"]),
        "ac": reverse("operations:ac", args=[b, YEAR]),
        "ac_base_edit": reverse("operations:ac_base_edit", args=[b, YEAR, member.pk]),
        "dashboard": reverse("operations:dashboard", args=[b]),
        "catalogue": reverse("operations:catalogue", args=[b]),
        "offer_create": reverse("operations:offer_create", args=[b]),
        "offer_edit": reverse("operations:offer_edit", args=[b, offer.pk]),
        "public_catalogue": reverse("operations:public_catalogue", args=[body.siren]),
    }


def _counts(client: Client, urls: dict[str, str]) -> dict[str, int | str]:
    counts: dict[str, int | str] = {}
    for name, url in urls.items():
        client.get(url)  # warm the caches (content types, sessions, templates)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        ok = response.status_code == 200
        counts[name] = len(queries) if ok else f"HTTP {response.status_code}"
    return counts


def _setup(ops: Ops) -> None:
    ac_service = make_service(ops.world, name="Secrétariat mutualisé", billing_mode="ac_deduction")
    services.notify_unit_cost(determine(ac_service), date(2026, 3, 1))
    services.notify_unit_cost(ops.notice, date(2026, 3, 1))
    services.set_catalogue_published(ops.world.body, True)
    for n, member in enumerate((ops.world.own_commune, ops.world.other_commune), 1):
        _join(ops, member, n)


def _compare(ops: Ops, client: Client, pages: Callable[[Ops], dict[str, str]]) -> None:
    _grow_to(ops, 3)
    small = _counts(client, pages(ops))
    _grow_to(ops, 12)
    large = _counts(client, pages(ops))
    assert all(isinstance(c, int) for c in small.values()), small
    assert large == small


def test_every_page_of_the_pooling_body_runs_the_same_queries_for_3_and_12_members(
    ops: Ops, client_for
) -> None:
    _setup(ops)
    _compare(ops, client_for(ops.world.pooling_admin), _pages)


def test_every_page_of_a_referent_runs_the_same_queries_for_3_and_12_members(
    ops: Ops, client_for
) -> None:
    _setup(ops)

    def referent_pages(ops: Ops) -> dict[str, str]:
        keep = (
            "index",
            "service",
            "units",
            "statements",
            "statement",
            "statement_xlsx",
            "dashboard",
            "catalogue",
            "public_catalogue",
        )
        return {name: url for name, url in _pages(ops).items() if name in keep}

    _compare(ops, client_for(ops.world.member_agent), referent_pages)
