"""The diagnostic analysis: hand-checked figures on plain values, then the loader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mutualis.engine.dates import add_months
from mutualis.inventory.diagnostic import (
    AssetFact,
    ContractFact,
    DomainInfo,
    Inputs,
    MemberInfo,
    ServiceFact,
    analyse,
    build_diagnostic,
    coefficient_of_variation,
    cost_per_inhabitant,
    distinct_products,
    fragility_reason,
    is_within_window,
    opportunity_score,
)
from tests.factories import DomainFactory, MemberFactory
from tests.inventory.factories import (
    AssetFactory,
    CampaignFactory,
    ContractFactory,
    CostLineFactory,
    ServiceRecordFactory,
    StaffLineFactory,
    SubmissionFactory,
)

ON = date(2025, 3, 15)
RH = DomainInfo(1, "rh", "Ressources humaines", "Services fonctionnels")
VOIRIE = DomainInfo(2, "voirie", "Voirie", "Services opérationnels")


def member(pk: int, population: int | None = 1000) -> MemberInfo:
    return MemberInfo(pk, f"Commune {pk}", f"2100{pk}", population)


def service(member_id: int, fte: str, cost: str, mode: str = "regie", **kw) -> ServiceFact:
    return ServiceFact(
        member_id, kw.pop("domain_id", 1), mode, Decimal(fte), Decimal(cost), Decimal(0), **kw
    )


def software(member_id: int, vendor: str, product: str, end_on: date | None = None, **kw):
    return ContractFact(
        member_id,
        kw.pop("domain_id", 1),
        kw.pop("kind", "logiciel"),
        vendor,
        product,
        Decimal("1200.00"),
        date(2020, 1, 1),
        end_on,
        **kw,
    )


def asset(member_id: int, rate: str | None, shareable: bool = True, **kw) -> AssetFact:
    return AssetFact(
        member_id,
        kw.pop("domain_id", 1),
        "equipement",
        kw.pop("name", f"Bien {member_id}"),
        None if rate is None else Decimal(rate),
        shareable,
        **kw,
    )


@pytest.mark.parametrize(
    ("mode", "fte", "fragile"),
    [
        ("regie", "0", True),
        ("regie", "0.49", True),
        ("regie", "0.50", True),  # single agent
        ("regie", "1.00", True),  # single agent
        ("regie", "1.01", False),
        ("externalise", "0.20", False),
        ("mutualise", "0.00", False),
    ],
)
def test_fragility_applies_to_in_house_services_of_at_most_one_fte(mode, fte, fragile):
    assert bool(fragility_reason(mode, Decimal(fte))) is fragile


def test_fragility_reasons_distinguish_half_fte_and_single_agent():
    assert "moins de 0,5 ETP" in fragility_reason("regie", Decimal("0.3"))
    assert "un seul agent" in fragility_reason("regie", Decimal("0.8"))


def test_cost_per_inhabitant_is_rounded_to_the_cent_and_needs_a_population():
    assert cost_per_inhabitant(Decimal("13250.50"), 500) == Decimal("26.50")
    assert cost_per_inhabitant(Decimal("1000"), 3) == Decimal("333.33")
    assert cost_per_inhabitant(Decimal("1000"), None) is None
    assert cost_per_inhabitant(Decimal("1000"), 0) is None


def test_coefficient_of_variation_by_hand():
    # mean 20, variance (100 + 0 + 100) / 3, sd 8.1650 → 0.40825
    cv = coefficient_of_variation([Decimal(10), Decimal(20), Decimal(30)])
    assert cv is not None
    assert cv.quantize(Decimal("0.00001")) == Decimal("0.40825")
    assert coefficient_of_variation([Decimal(10)]) is None


@pytest.mark.parametrize(
    ("end_on", "inside"),
    [
        (date(2025, 3, 14), False),  # already ended
        (date(2025, 3, 15), True),
        (date(2027, 3, 15), True),  # exactly 24 months
        (date(2027, 3, 16), False),
        (None, False),  # open-ended
    ],
)
def test_contract_window_is_24_months_from_the_given_date(end_on, inside):
    assert is_within_window(end_on, ON) is inside


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 31), -3) == date(2025, 9, 30)
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)


def test_distinct_products_ignore_case_spacing_and_non_software_contracts():
    products = distinct_products(
        [
            software(1, "Berger-Levrault", "e.magnus Paie"),
            software(2, "berger-levrault ", "E.Magnus  paie"),
            software(3, "Ciril", "Civil Net RH"),
            software(4, "Nettoyage SA", "Ménage", kind="prestation"),
        ],
        {1: "Alpha", 2: "Bêta", 3: "Gamma", 4: "Delta"},
    )
    assert [(p.vendor, p.product, p.members) for p in products] == [
        ("Berger-Levrault", "e.magnus Paie", ("Alpha", "Bêta")),
        ("Ciril", "Civil Net RH", ("Gamma",)),
    ]
    assert products[0].yearly_cost == Decimal("2400.00")


def score_inputs() -> Inputs:
    """Four communes of 1 000 inhabitants, all in-house for RH (hand-checked score 44)."""
    return Inputs(
        body_name="CC du Val de Test",
        year=2025,
        is_sample=False,
        members=tuple(member(pk) for pk in (1, 2, 3, 4)),
        domains=(RH, VOIRIE),
        services=(
            service(1, "0.30", "10000", needs="Remplacements pendant les congés"),
            service(2, "0.80", "20000"),
            service(3, "2.00", "30000"),
            service(4, "3.00", "40000", difficulties="Logiciel vieillissant"),
            service(1, "1.50", "5000", mode="externalise", domain_id=2),
        ),
        contracts=(
            software(1, "Éditeur A", "Paie A", date(2026, 6, 30)),  # within 24 months
            software(2, "Éditeur B", "Paie B", date(2027, 9, 30)),  # 30 months: outside
            software(3, "Éditeur A", "Paie A"),  # open-ended
            software(4, "Voirie SA", "Balayage", date(2025, 12, 31), domain_id=None),
        ),
        assets=(
            asset(1, "20"),
            asset(2, "80"),
            asset(3, "10", shareable=False),
            asset(4, "5", domain_id=None, name="Salle des fêtes"),
        ),
        submitted_count=3,
    )


def test_domain_figures_by_hand():
    rh = analyse(score_inputs(), ON).domains[0]
    assert rh.domain == RH
    assert rh.answered_count == 4
    assert rh.covered_count == 4
    assert [(m.mode, m.count) for m in rh.modes] == [
        ("regie", 4),
        ("externalise", 0),
        ("mutualise", 0),
        ("non_assure", 0),
    ]
    assert rh.fte == Decimal("6.10")
    assert rh.total_cost == Decimal("100000")
    assert [f.member.id for f in rh.fragilities] == [1, 2]
    assert [w.vendor for w in rh.contract_windows] == ["Éditeur A"]
    assert rh.contract_windows[0].months_left == 15
    assert rh.product_count == 2
    assert rh.vendors == ("Éditeur A", "Éditeur B")
    assert [a.name for a in rh.underused_assets] == ["Bien 1"]
    assert [n.member.id for n in rh.needs] == [1, 4]
    assert [c.cost_per_inhabitant for c in rh.member_costs] == [
        Decimal("40.00"),
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    ]


def test_opportunity_score_by_hand():
    score = analyse(score_inputs(), ON).domains[0].score
    points = {c.key: c.points for c in score.components}
    assert points == {
        "fragility": Decimal("12.50"),  # 25 × 2/4
        "dispersion": Decimal("8.94"),  # 20 × cv(10, 20, 30, 40) = 20 × 0.4472
        "products": Decimal("7.50"),  # 15 × (2 − 1) / (3 − 1)
        "contracts": Decimal("3.75"),  # 15 × 1/4
        "assets": Decimal("3.33"),  # 10 × 1/3: one shareable asset under 50 % out of three
        "needs": Decimal("7.50"),  # 15 × 2/4
    }
    assert score.value == 44  # 43.52 rounded half up
    text = score.explanation.text()
    assert "Fragilité des services en régie (poids 25)" in text
    assert "44 / 100" in text


def test_score_is_zero_without_answers_and_bounded_by_100():
    empty = opportunity_score(
        answered=0,
        in_house=0,
        fragile=0,
        dispersion=None,
        product_count=0,
        software_members=0,
        window_members=0,
        assets=0,
        underused=0,
        needs=0,
    )
    assert empty.value == 0
    worst = opportunity_score(
        answered=3,
        in_house=3,
        fragile=3,
        dispersion=Decimal("2.5"),
        product_count=3,
        software_members=3,
        window_members=3,
        assets=2,
        underused=2,
        needs=3,
    )
    assert worst.value == 100


def test_territory_totals_cost_per_inhabitant_and_exclusions():
    inputs = score_inputs()
    inputs = Inputs(
        **{
            **inputs.__dict__,
            "members": (*inputs.members, member(5, population=None), member(6)),
            "services": (*inputs.services, service(5, "1", "999")),
        }
    )
    territory = analyse(inputs, ON).territory
    assert territory.member_count == 6
    assert territory.answered_count == 5
    assert territory.fte == Decimal("8.60")
    assert territory.total_cost == Decimal("105999")
    # member 1: (10 000 + 5 000) / 1 000; member 5 has no population, member 6 no answer
    assert [(c.member.id, c.cost_per_inhabitant) for c in territory.member_costs] == [
        (4, Decimal("40.00")),
        (3, Decimal("30.00")),
        (2, Decimal("20.00")),
        (1, Decimal("15.00")),
    ]
    assert territory.cost_per_inhabitant == Decimal("26.25")  # 105 000 / 4 000
    assert [m.id for m in territory.excluded_no_population] == [5]
    assert territory.completion == Decimal("0.5")
    assert territory.fragility_count == 3  # members 1 and 2 in RH, 5 at 1 ETP
    # the contract and the asset without a domain count for the territory
    assert [w.vendor for w in territory.contract_windows] == ["Voirie SA", "Éditeur A"]
    assert [a.name for a in territory.underused_assets] == ["Salle des fêtes", "Bien 1"]


def _campaign_with(members: int):
    campaign = CampaignFactory(year=2025)
    body = campaign.pooling_body
    domains = [DomainFactory(pooling_body=body, position=i) for i in range(3)]
    campaign.domains.set(domains)
    for i in range(members):
        commune = MemberFactory(pooling_body=body, population_municipale=1000 + i)
        SubmissionFactory(campaign=campaign, member=commune, status="submitted")
        for domain in domains:
            record = ServiceRecordFactory(campaign=campaign, member=commune, domain=domain)
            StaffLineFactory(service=record, fte=Decimal("0.40"), cost_amount="15000.00")
            CostLineFactory(service=record, amount="1000.00")
            ContractFactory(campaign=campaign, member=commune, domain=domain)
        AssetFactory(campaign=campaign, member=commune, domain=domains[0])
    return campaign


@pytest.mark.django_db
def test_build_diagnostic_reads_the_database_in_a_constant_number_of_queries(
    django_assert_num_queries,
):
    small, large = _campaign_with(2), _campaign_with(6)
    with django_assert_num_queries(6):
        build_diagnostic(small, on=ON)
    with django_assert_num_queries(6):
        diagnostic = build_diagnostic(large, on=ON)
    assert diagnostic.territory.member_count == 6
    assert diagnostic.territory.submitted_count == 6
    assert diagnostic.territory.fte == Decimal("7.20")
    assert diagnostic.territory.total_cost == Decimal("288000.00")
    assert len(diagnostic.territory.contract_windows) == 18  # all end on 31/12/2026
    first = diagnostic.domains[0]
    assert len(first.fragilities) == 6
    assert first.underused_assets[0].annual_cost is not None


@pytest.mark.django_db
def test_build_diagnostic_of_one_domain_reads_only_that_domain():
    campaign = _campaign_with(2)
    domain = campaign.domains.order_by("position").last()
    diagnostic = build_diagnostic(campaign, on=ON, domain_id=domain.pk)
    assert [d.domain.id for d in diagnostic.domains] == [domain.pk]
    assert diagnostic.domains[0].answered_count == 2
