"""axe-core (npm) on the main pages as each role, and no page wider than the screen.

Any serious or critical axe violation fails. At 390 px (a phone) and 1366 px (a laptop)
the page never scrolls sideways: wide tables scroll inside their own container.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import World
from tests.factories import DomainFactory
from tests.inventory.factories import (
    AssetFactory,
    CampaignFactory,
    ContractFactory,
    ServiceRecordFactory,
    StaffLineFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)
BLOCKING = {"serious", "critical"}
ROLES = ["pooling_admin", "finance_officer", "elected_official", "member_agent"]
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The outermost elements that stick out on the right, to name the culprit in the failure.
CULPRITS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || out.some(o => o.el.contains(el))) continue;
    if (el.parentElement && el.parentElement.closest('.scroll, .phases')) continue;
    out.push({el, name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (typeof el.className === 'string' && el.className
         ? '.' + el.className.split(' ').join('.') : '')
      + ' (' + Math.round(box.right) + ' px)'});
  }
  return out.slice(0, 4).map(o => o.name);
}"""


def _pages(world: World, campaign, domain) -> list[str]:
    body, c = world.body.pk, campaign.pk
    member = world.own_commune.pk
    return [
        reverse("territories:detail", args=[body]),
        reverse("territories:phase", args=[body, "diagnostic"]),
        reverse("inventory:campaigns", args=[body]),
        reverse("inventory:campaign", args=[body, c]),
        reverse("diagnostic:dashboard", args=[body, c]),
        reverse("diagnostic:domain", args=[body, c, domain.pk]),
        reverse("inventory:member", args=[body, c, member]),
        reverse("inventory:service_edit", args=[body, c, member, domain.pk]),
        reverse("inventory:contracts", args=[body, c, member]),
        reverse("inventory:import", args=[body, c]),
        reverse("accounts:roles", args=[body]),
    ]


@pytest.fixture
def filled(world: World):
    domain = DomainFactory(pooling_body=world.body, code="rh", name="Ressources humaines")
    campaign = CampaignFactory(pooling_body=world.body, year=2025, domains=[domain])
    for member in (world.own_commune, world.other_commune):
        record = ServiceRecordFactory(campaign=campaign, member=member, domain=domain)
        StaffLineFactory(service=record)
        ContractFactory(
            campaign=campaign,
            member=member,
            domain=domain,
            vendor="Éditeur au nom assez long pour élargir un tableau",
            end_on=date(2026, 12, 31),
            notice_period_months=3,
        )
        AssetFactory(campaign=campaign, member=member, domain=domain, utilisation_rate=20)
    return campaign, domain


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("persona", ROLES)
def test_main_pages_have_no_serious_axe_violation_and_no_sideways_scroll(
    world: World, filled, live_server, browser, persona: str
):
    if not AXE.exists():
        pytest.fail("axe-core manque : lancez `make install` (npm ci).")
    campaign, domain = filled
    user = world.persona(persona)
    user.set_password("motdepasse-test")
    user.save()
    # axe is injected as a script of the test; the site's CSP (self only) would refuse it.
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    _login(page, live_server.url, user.username)
    failures: list[str] = []
    for path in _pages(world, campaign, domain):
        page.set_viewport_size({"width": 1366, "height": 900})
        response = page.goto(f"{live_server.url}{path}")
        if response is None or response.status != 200:
            continue  # a page this role may not open (403) is not one of its pages
        failures += [f"{path}: {v}" for v in _axe_violations(page)]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                culprits = ", ".join(page.evaluate(CULPRITS))
                failures.append(
                    f"{path} à {width} px : dépasse de {overflow} px en largeur ({culprits})"
                )
    context.close()
    assert failures == [], "\n".join(failures)
