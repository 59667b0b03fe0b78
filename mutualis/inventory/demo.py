"""A sample inventory campaign for the demo territory, flagged as fictitious everywhere.

Figures are deterministic (hash-seeded from the INSEE code, never a random state) and
scaled to the population: a 150-inhabitant village has a secretary a few hours a week and
a budget of tens of thousands of euros.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction

from mutualis.engine.money import to_cents
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.territories.models import Domain, Member, PoolingBody

SAMPLE_YEAR = 2025
DEMO_REFERENT_INSEE = "21573"  # keeps a draft, for the demo référent to play with
DOMAIN_CODES = (
    "secretariat",
    "rh",
    "finances",
    "voirie",
    "ads",
    "informatique",
    "messagerie",
    "enfance-jeunesse",
)
ACCOUNTING = (
    ("Berger-Levrault", "e.magnus Gestion financière"),
    ("JVS-Mairistem", "Horizon Villages On-line"),
    ("Cosoluce", "Coloris Finances"),
)
MAIL = (
    ("Orange Business", "Messagerie Pro"),
    ("OVHcloud", "Email Pro"),
    ("Microsoft", "Microsoft 365 Business Basic"),
)
COPIERS = (("Konica Minolta", "Location copieur bizhub"), ("Ricoh", "Location copieur IM"))


def _pick(code: str, key: str, low: int, high: int) -> int:
    """A deterministic integer in [low, high] drawn from the INSEE code and a key."""
    digest = hashlib.sha256(f"{code}:{key}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


def _tenths(code: str, key: str, low: int, high: int) -> Decimal:
    return Decimal(_pick(code, key, low, high)) / 10


@transaction.atomic
def create_sample_campaign(body: PoolingBody) -> Campaign:
    """The 2025 sample campaign of `body`; returns the existing one when run again."""
    existing = Campaign.objects.filter(pooling_body=body, year=SAMPLE_YEAR).first()
    if existing is not None:
        return existing
    domains = {d.code: d for d in body.domains.filter(code__in=DOMAIN_CODES)}
    campaign = Campaign.objects.create(
        pooling_body=body, year=SAMPLE_YEAR, deadline=date(2025, 6, 30), is_sample=True
    )
    campaign.domains.set(domains.values())
    for member in body.members.order_by("insee_code"):
        _fill_member(campaign, member, domains)
    return campaign


def _fill_member(campaign: Campaign, member: Member, domains: dict[str, Domain]) -> None:
    code = member.code
    people = member.population_municipale or 200
    state = _pick(code, "state", 0, 99)
    if code != DEMO_REFERENT_INSEE and state < 20:
        return  # not started
    for domain_code, domain in domains.items():
        answer = _service(code, people, domain_code)
        if answer is None:
            continue
        values, staff, costs = answer
        service = ServiceRecord.objects.create(
            campaign=campaign, member=member, domain=domain, **values
        )
        StaffLine.objects.bulk_create(
            StaffLine(service=service, category=c, fte=fte, cost_amount=cost)
            for c, fte, cost in staff
        )
        CostLine.objects.bulk_create(
            CostLine(service=service, chapter=ch, amount=amount) for ch, amount in costs
        )
    _assets(campaign, member, people, domains)
    _contracts(campaign, member, people, domains)
    submitted = code != DEMO_REFERENT_INSEE and state >= 55
    Submission.objects.create(
        campaign=campaign,
        member=member,
        status=Submission.Status.SUBMITTED if submitted else Submission.Status.DRAFT,
        submitted_at=(
            datetime(2025, 5, _pick(code, "day", 2, 28), 10, 0, tzinfo=UTC) if submitted else None
        ),
    )


ServiceSample = tuple[
    dict[str, object], list[tuple[str, Decimal, Decimal]], list[tuple[str, Decimal]]
]


def _service(code: str, people: int, domain: str) -> ServiceSample | None:
    """(values, staff lines, cost lines) of one domain, or None when not described."""
    agents = 1 + people // 250
    mode = ServiceRecord.Mode
    if domain == "secretariat":
        fte = min(Decimal("0.2") + Decimal(people) / 1200, Decimal(3)).quantize(Decimal("0.1"))
        return (
            _values(
                mode.IN_HOUSE, 30 + people // 8, "actes", code, "Remplacement pendant les congés."
            ),
            [("C", fte, to_cents(fte * _pick(code, "sec-cost", 34000, 39000)))],
            [("011", to_cents(800 + people * Decimal("2.5")))],
        )
    if domain == "rh":
        bulletins = agents * 12
        pooled = _pick(code, "rh-mode", 0, 2) == 0
        return (
            _values(
                mode.POOLED if pooled else mode.OUTSOURCED,
                bulletins,
                "bulletins",
                code,
                "Veille statutaire difficile à suivre seul.",
            ),
            [],
            [("011", to_cents(bulletins * _pick(code, "rh-unit", 9, 16)))],
        )
    if domain == "finances":
        fte = _tenths(code, "fin-fte", 1, 3 + people // 400)
        return (
            _values(mode.IN_HOUSE, 80 + people // 3, "mandats", code, ""),
            [("B" if people > 1500 else "C", fte, to_cents(fte * 40000))],
            [],
        )
    if domain == "voirie":
        km = 4 + people // 120 + _pick(code, "km", 0, 6)
        fte = _tenths(code, "voirie-fte", 2, 6 + people // 200)
        return (
            _values(mode.IN_HOUSE, km, "km", code, "Matériel d'entretien vieillissant."),
            [("C", fte, to_cents(fte * _pick(code, "voirie-cost", 33000, 37000)))],
            [("011", to_cents(km * _pick(code, "km-cost", 600, 1400))), ("65", to_cents(km * 50))],
        )
    if domain == "ads":
        permits = max(people // 60, 1)
        return (
            _values(mode.POOLED, permits, "equivalent_pc", code, ""),
            [],
            [("65", to_cents(permits * _pick(code, "ads-unit", 160, 230)))],
        )
    if domain == "informatique":
        posts = 1 + people // 300
        return (
            _values(mode.OUTSOURCED, posts, "postes", code, "Sauvegardes non testées."),
            [],
            [("011", to_cents(posts * _pick(code, "it-unit", 350, 650)))],
        )
    if domain == "messagerie":
        if _pick(code, "mail", 0, 2) == 0:
            return None
        boxes = 2 + people // 200
        return (
            _values(mode.OUTSOURCED, boxes, "boites", code, ""),
            [],
            [("011", to_cents(boxes * _pick(code, "mail-unit", 40, 90)))],
        )
    if domain == "enfance-jeunesse":
        if people < 400:
            return None
        children = people // 18
        fte = _tenths(code, "ej-fte", 8, 10 + people // 100)
        return (
            _values(
                mode.IN_HOUSE, children, "enfants", code, "Recrutement d'animateurs difficile."
            ),
            [("C", fte, to_cents(fte * 33000)), ("contractuel", Decimal("0.5"), to_cents(14000))],
            [("011", to_cents(children * 120)), ("65", to_cents(children * 35))],
        )
    return None


def _values(mode: str, volume: int, unit: str, code: str, difficulty: str) -> dict[str, object]:
    return {
        "mode": mode,
        "activity_volume": Decimal(volume),
        "activity_unit": unit,
        "satisfaction": _pick(code, f"sat-{unit}", 2, 5),
        "needs": "",
        "difficulties": difficulty,
    }


def _assets(campaign: Campaign, member: Member, people: int, domains: dict[str, Domain]) -> None:
    code = member.code
    rows = [
        Asset(
            kind=Asset.Kind.EQUIPMENT,
            name="Photocopieur de la mairie",
            domain=domains.get("secretariat"),
            acquisition_year=2019 + _pick(code, "copier-year", 0, 4),
            acquisition_cost_amount=Decimal(_pick(code, "copier", 25, 60) * 100),
            useful_life_years=5,
            running_cost_amount=Decimal(_pick(code, "copier-run", 4, 12) * 100),
            utilisation_rate=Decimal(_pick(code, "copier-use", 20, 60)),
            shareable=False,
        )
    ]
    if _pick(code, "hall", 0, 3) != 0:
        rows.append(
            Asset(
                kind=Asset.Kind.BUILDING,
                name="Salle des fêtes",
                address=f"Place de la mairie, {member.name}",
                capacity=60 + people // 10,
                acquisition_year=1975 + _pick(code, "hall-year", 0, 40),
                acquisition_cost_amount=Decimal(_pick(code, "hall-cost", 150, 600) * 1000),
                subsidies_amount=Decimal(_pick(code, "hall-sub", 20, 120) * 1000),
                useful_life_years=40,
                running_cost_amount=Decimal(_pick(code, "hall-run", 15, 60) * 100),
                utilisation_rate=Decimal(_pick(code, "hall-use", 8, 35)),
                shareable=True,
            )
        )
    if _pick(code, "tractor", 0, 2) == 0:
        rows.append(
            Asset(
                kind=Asset.Kind.VEHICLE,
                name="Tracteur avec épareuse",
                domain=domains.get("voirie"),
                acquisition_year=2008 + _pick(code, "tractor-year", 0, 14),
                acquisition_cost_amount=Decimal(_pick(code, "tractor-cost", 55, 110) * 1000),
                subsidies_amount=Decimal(0),
                useful_life_years=12,
                running_cost_amount=Decimal(_pick(code, "tractor-run", 15, 45) * 100),
                utilisation_rate=Decimal(_pick(code, "tractor-use", 6, 25)),
                shareable=True,
            )
        )
    for asset in rows:
        asset.campaign, asset.member = campaign, member
    Asset.objects.bulk_create(rows)


def _contracts(campaign: Campaign, member: Member, people: int, domains: dict[str, Domain]) -> None:
    code = member.code
    choices: list[
        tuple[tuple[tuple[str, str], ...], str, Domain | None, Contract.Kind, int, int]
    ] = [
        (ACCOUNTING, "compta", domains.get("finances"), Contract.Kind.SOFTWARE, 700, 2600),
        (MAIL, "mail", domains.get("messagerie"), Contract.Kind.SOFTWARE, 100, 900),
    ]
    if _pick(code, "copier-lease", 0, 1) == 0:
        choices.append(
            (COPIERS, "copier", domains.get("secretariat"), Contract.Kind.LEASE, 900, 2400)
        )
    rows = []
    for options, key, domain, kind, low, high in choices:
        vendor, product = options[_pick(code, f"{key}-vendor", 0, len(options) - 1)]
        start_year = 2019 + _pick(code, f"{key}-start", 0, 4)
        end_year = 2025 + _pick(code, f"{key}-end", 0, 4)
        scale = Decimal(1) + Decimal(people) / 3000
        rows.append(
            Contract(
                campaign=campaign,
                member=member,
                domain=domain,
                kind=kind,
                vendor=vendor,
                product=product,
                yearly_cost_amount=to_cents(_pick(code, f"{key}-cost", low, high) * scale),
                start_on=date(start_year, 1, 1),
                end_on=date(end_year, 12, 31),
                notice_period_months=_pick(code, f"{key}-notice", 1, 2) * 3,
            )
        )
    Contract.objects.bulk_create(rows)
