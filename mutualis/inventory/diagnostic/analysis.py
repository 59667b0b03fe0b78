"""The diagnostic computed from plain values alone (no database): counts, costs, fragility,
contract windows, products, under-used assets and the opportunity score.

Rules and weights are documented in docs/diagnostic.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.utils.translation import gettext as _

from mutualis.engine.dates import add_months, months_between
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import format_number, to_cents
from mutualis.inventory.diagnostic.deadlines import contract_deadlines
from mutualis.inventory.diagnostic.facts import (
    MODES,
    ZERO,
    AssetFact,
    ContractFact,
    ContractWindow,
    Diagnostic,
    DomainDiagnostic,
    DomainInfo,
    Fragility,
    Inputs,
    Labels,
    MemberCost,
    MemberInfo,
    MemberLine,
    ModeCount,
    Need,
    OpportunityScore,
    ProductUse,
    ScoreComponent,
    ServiceFact,
    Territory,
    UnderusedAsset,
    labels,
)
from mutualis.inventory.models import Contract, ServiceRecord

ONE = Decimal(1)
FTE_PLACES = Decimal("0.01")

# A function held by less than half an ETP is fragile; so is a service that rests on at
# most one ETP (the inventory stores ETP, not headcounts: "single agent" means ETP ≤ 1).
FRAGILE_FTE = Decimal("0.5")
SINGLE_AGENT_FTE = Decimal(1)
CONTRACT_WINDOW_MONTHS = 24
UNDERUSED_RATE = Decimal(50)  # percent


# Opportunity score: weights (sum 100) of components each normalised to [0, 1].
WEIGHTS: dict[str, int] = {
    "fragility": 25,
    "dispersion": 20,
    "products": 15,
    "contracts": 15,
    "assets": 10,
    "needs": 15,
}
assert sum(WEIGHTS.values()) == 100  # noqa: S101 - documented invariant


def fte_text(value: Decimal) -> str:
    return format_number(value, 2)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    return ZERO if not denominator else Decimal(numerator) / Decimal(denominator)


def fragility_reason(mode: str, fte: Decimal, texts: Labels | None = None) -> str:
    """Why an in-house service is fragile, or "" when it is not.

    Only services run in-house (en régie) count: an outsourced or pooled service does not
    rest on the member's own staff. `texts`: the translated labels, when the caller
    already looked them up (once per analysis rather than once per row).
    """
    if mode != ServiceRecord.Mode.IN_HOUSE:
        return ""
    if fte < FRAGILE_FTE:
        return (texts or labels())["fragility"]["half"]
    if fte <= SINGLE_AGENT_FTE:
        return (texts or labels())["fragility"]["single"]
    return ""


def cost_per_inhabitant(total_cost: Decimal, population: int | None) -> Decimal | None:
    if not population:
        return None
    return to_cents(total_cost / Decimal(population))


def coefficient_of_variation(values: Sequence[Decimal]) -> Decimal | None:
    """Population standard deviation / mean; None with fewer than two values or a zero mean."""
    if len(values) < 2:
        return None
    mean = sum(values, ZERO) / len(values)
    if mean == 0:
        return None
    variance = sum(((v - mean) ** 2 for v in values), ZERO) / len(values)
    return variance.sqrt() / mean


@lru_cache(maxsize=64)
def _window_end(on: date, months: int) -> date:
    return add_months(on, months)


def is_within_window(end_on: date | None, on: date, months: int = CONTRACT_WINDOW_MONTHS) -> bool:
    """A contract ends between `on` and `on` + `months` months, both included."""
    return end_on is not None and on <= end_on <= _window_end(on, months)


def product_key(vendor: str, product: str) -> tuple[str, str]:
    """Two declarations of the same product differ only by case and spacing."""
    return (" ".join(vendor.split()).casefold(), " ".join(product.split()).casefold())


def distinct_products(
    contracts: Iterable[ContractFact], names: dict[int, str]
) -> tuple[ProductUse, ...]:
    """Distinct software products (contracts of kind "logiciel"), with their members."""
    groups: dict[tuple[str, str], list[ContractFact]] = {}
    for contract in contracts:
        if contract.kind == Contract.Kind.SOFTWARE:
            groups.setdefault(product_key(contract.vendor, contract.product), []).append(contract)
    uses = []
    for items in groups.values():
        first = items[0]
        uses.append(
            ProductUse(
                vendor=" ".join(first.vendor.split()),
                product=" ".join(first.product.split()),
                members=tuple(sorted({names[c.member_id] for c in items}, key=str.casefold)),
                yearly_cost=sum((c.yearly_cost for c in items), ZERO),
            )
        )
    return tuple(sorted(uses, key=lambda u: (-len(u.members), u.vendor.casefold(), u.product)))


def _points(weight: int, value: Decimal) -> Decimal:
    return (Decimal(weight) * value).quantize(FTE_PLACES, rounding=ROUND_HALF_UP)


def _component(key: str, label: str, value: Decimal, formula: str) -> ScoreComponent:
    value = min(max(value, ZERO), ONE)
    return ScoreComponent(key, label, WEIGHTS[key], value, _points(WEIGHTS[key], value), formula)


def opportunity_score(
    *,
    answered: int,
    in_house: int,
    fragile: int,
    dispersion: Decimal | None,
    product_count: int,
    software_members: int,
    window_members: int,
    assets: int,
    underused: int,
    needs: int,
) -> OpportunityScore:
    """Score 0-100 = Σ weight_k × component_k, each component in [0, 1].

    - fragility: fragile in-house services / in-house services;
    - dispersion: coefficient of variation of the cost per inhabitant, capped at 1;
    - products: (distinct products − 1) / (members with software − 1);
    - contracts: members with a contract ending within 24 months / members who answered;
    - assets: shareable assets used less than 50 % / assets of the domain;
    - needs: members stating needs or difficulties / members who answered.
    """
    components = (
        _component(
            "fragility",
            _("Fragilité des services en régie"),
            ratio(fragile, in_house),
            _("%(fragile)s service(s) fragile(s) / %(total)s en régie")
            % {"fragile": fragile, "total": in_house},
        ),
        _component(
            "dispersion",
            _("Dispersion du coût par habitant"),
            dispersion if dispersion is not None else ZERO,
            _("coefficient de variation (écart type / moyenne) = %(cv)s, plafonné à 1")
            % {"cv": format_number(dispersion, 2) if dispersion is not None else "—"},
        ),
        _component(
            "products",
            _("Hétérogénéité des logiciels (risque d'interopérabilité)"),
            ratio(product_count - 1, software_members - 1) if product_count > 1 else ZERO,
            _("(%(products)s logiciel(s) distinct(s) − 1) / (%(members)s membre(s) équipé(s) − 1)")
            % {"products": product_count, "members": software_members},
        ),
        _component(
            "contracts",
            _("Contrats arrivant à échéance sous 24 mois"),
            ratio(window_members, answered),
            _("%(window)s membre(s) avec une échéance / %(answered)s répondant(s)")
            % {"window": window_members, "answered": answered},
        ),
        _component(
            "assets",
            _("Équipements mutualisables sous-utilisés"),
            ratio(underused, assets),
            _("%(underused)s bien(s) mutualisable(s) utilisé(s) à moins de 50 %% / %(assets)s")
            % {"underused": underused, "assets": assets},
        ),
        _component(
            "needs",
            _("Besoins et difficultés exprimés"),
            ratio(needs, answered),
            _("%(needs)s membre(s) ayant exprimé un besoin / %(answered)s répondant(s)")
            % {"needs": needs, "answered": answered},
        ),
    )
    total = sum((c.points for c in components), ZERO)
    value = int(total.quantize(ONE, rounding=ROUND_HALF_UP)) if answered else 0
    steps = [
        Step(
            f"{c.label} (poids {c.weight})",
            _("%(weight)s × %(value)s, avec %(formula)s")
            % {"weight": c.weight, "value": format_number(c.value, 2), "formula": c.formula},
            format_number(c.points, 2),
        )
        for c in components
    ]
    if answered:
        steps.append(
            Step(
                _("Score d'opportunité"),
                " + ".join(format_number(c.points, 2) for c in components),
                _("%(value)s / 100") % {"value": value},
            )
        )
    else:
        steps.append(Step(_("Score d'opportunité"), _("aucune réponse pour ce domaine"), "0 / 100"))
    return OpportunityScore(
        value=value,
        components=components,
        explanation=Explanation(_("Score d'opportunité de mutualisation"), tuple(steps)),
    )


# --- the analysis ------------------------------------------------------------------------


def _window(
    contract: ContractFact,
    member: MemberInfo,
    domain: DomainInfo | None,
    on: date,
    kinds: Mapping[str, str],
) -> ContractWindow:
    end_on = contract.end_on
    if end_on is None:  # callers keep only contracts within a window, hence with an end
        raise ValueError("A contract without an end date has no renewal window.")
    notice_by = (
        add_months(end_on, -contract.notice_period_months)
        if contract.notice_period_months
        else None
    )
    return ContractWindow(
        member=member,
        domain=domain,
        kind_label=kinds.get(contract.kind, contract.kind),
        vendor=contract.vendor,
        product=contract.product,
        yearly_cost=contract.yearly_cost,
        end_on=end_on,
        months_left=months_between(on, end_on),
        notice_by=notice_by,
    )


def _underused(
    asset: AssetFact, member: MemberInfo, domain: DomainInfo | None, kinds: Mapping[str, str]
) -> UnderusedAsset | None:
    rate = asset.utilisation_rate
    if not asset.shareable or rate is None or rate >= UNDERUSED_RATE:
        return None
    return UnderusedAsset(
        member=member,
        domain=domain,
        kind_label=kinds.get(asset.kind, asset.kind),
        name=asset.name,
        utilisation_rate=rate,
        annual_cost=asset.annual_cost,
    )


def analyse_domain(
    domain: DomainInfo,
    members: dict[int, MemberInfo],
    services: Sequence[ServiceFact],
    contracts: Sequence[ContractFact],
    assets: Sequence[AssetFact],
    on: date,
) -> DomainDiagnostic:
    """Everything the diagnostic says about one domain, from its own records only."""
    texts = labels()  # once: get_language() per row costs more than the analysis
    mode_labels = texts["modes"]
    services = sorted(services, key=lambda s: (members[s.member_id].name, s.member_id))
    counts = {mode: 0 for mode in MODES}
    lines, fragilities, needs, costs = [], [], [], []
    for s in services:
        member = members[s.member_id]
        counts[s.mode] = counts.get(s.mode, 0) + 1
        reason = fragility_reason(s.mode, s.fte, texts)
        per_inhabitant = cost_per_inhabitant(s.total_cost, member.population)
        lines.append(
            MemberLine(
                member,
                s.mode,
                mode_labels.get(s.mode, s.mode),
                s.fte,
                s.staff_cost,
                s.operating_cost,
                s.total_cost,
                per_inhabitant,
                reason,
            )
        )
        if reason:
            fragilities.append(Fragility(member, domain, s.fte, reason))
        if s.needs.strip() or s.difficulties.strip():
            needs.append(Need(member, domain, s.needs.strip(), s.difficulties.strip()))
        if per_inhabitant is not None and s.total_cost > 0:
            costs.append(MemberCost(member, s.total_cost, member.population or 0, per_inhabitant))
    windows = sorted(
        (
            _window(c, members[c.member_id], domain, on, texts["contracts"])
            for c in contracts
            if is_within_window(c.end_on, on)
        ),
        key=lambda w: (w.end_on, w.member.name, w.vendor),
    )
    names = {m.id: m.name for m in members.values()}
    products = distinct_products(contracts, names)
    underused = [
        u
        for a in assets
        if (u := _underused(a, members[a.member_id], domain, texts["assets"])) is not None
    ]
    underused.sort(key=lambda u: (u.utilisation_rate, u.member.name, u.name))
    dispersion = coefficient_of_variation([c.cost_per_inhabitant for c in costs])
    answered = len(services)
    score = opportunity_score(
        answered=answered,
        in_house=counts[ServiceRecord.Mode.IN_HOUSE],
        fragile=len(fragilities),
        dispersion=dispersion,
        product_count=len(products),
        software_members=len({c.member_id for c in contracts if c.kind == Contract.Kind.SOFTWARE}),
        window_members=len({w.member.id for w in windows}),
        assets=len(assets),
        underused=len(underused),
        needs=len(needs),
    )
    return DomainDiagnostic(
        domain=domain,
        modes=tuple(ModeCount(m, mode_labels.get(m, m), counts[m]) for m in MODES),
        answered_count=answered,
        covered_count=answered - counts[ServiceRecord.Mode.NOT_PROVIDED],
        fte=sum((s.fte for s in services), ZERO),
        staff_cost=sum((s.staff_cost for s in services), ZERO),
        operating_cost=sum((s.operating_cost for s in services), ZERO),
        lines=tuple(lines),
        fragilities=tuple(fragilities),
        contract_windows=tuple(windows),
        products=products,
        underused_assets=tuple(underused),
        needs=tuple(needs),
        member_costs=tuple(sorted(costs, key=lambda c: (-c.cost_per_inhabitant, c.member.name))),
        cost_dispersion=dispersion,
        score=score,
    )


def territory_costs(
    members: Sequence[MemberInfo], services: Sequence[ServiceFact]
) -> tuple[tuple[MemberCost, ...], Decimal | None, tuple[MemberInfo, ...]]:
    """Cost per inhabitant of every member that answered and has a population.

    Returns (member costs sorted highest first, Σ cost / Σ population of those members,
    members that answered but have no population municipale — excluded).
    """
    totals: dict[int, Decimal] = {}
    for s in services:
        totals[s.member_id] = totals.get(s.member_id, ZERO) + s.total_cost
    costs, excluded = [], []
    for member in members:
        if member.id not in totals:
            continue
        per = cost_per_inhabitant(totals[member.id], member.population)
        if per is None:
            excluded.append(member)
        else:
            costs.append(MemberCost(member, totals[member.id], member.population or 0, per))
    costs.sort(key=lambda c: (-c.cost_per_inhabitant, c.member.name))
    population = sum(c.population for c in costs)
    overall = (
        to_cents(sum((c.total_cost for c in costs), ZERO) / population) if population else None
    )
    return tuple(costs), overall, tuple(excluded)


def analyse(inputs: Inputs, on: date) -> Diagnostic:
    """The whole diagnostic from plain values; `on` is the date contract windows start."""
    members = {m.id: m for m in inputs.members}
    domains = {d.id: d for d in inputs.domains}
    services = [s for s in inputs.services if s.domain_id in domains and s.member_id in members]
    contracts = [c for c in inputs.contracts if c.member_id in members]
    assets = [a for a in inputs.assets if a.member_id in members]
    by_domain: dict[int, tuple[list[ServiceFact], list[ContractFact], list[AssetFact]]] = {
        d: ([], [], []) for d in domains
    }
    for s in services:
        by_domain[s.domain_id][0].append(s)
    for c in contracts:
        if c.domain_id in by_domain:
            by_domain[c.domain_id][1].append(c)
    for a in assets:
        if a.domain_id in by_domain:
            by_domain[a.domain_id][2].append(a)
    results = tuple(
        analyse_domain(domain, members, *by_domain[domain.id], on) for domain in inputs.domains
    )
    # Contracts and assets without a domain (or of a domain outside the campaign) still
    # count for the territory.
    texts = labels()
    windows = [w for d in results for w in d.contract_windows] + [
        _window(c, members[c.member_id], None, on, texts["contracts"])
        for c in contracts
        if c.domain_id not in domains and is_within_window(c.end_on, on)
    ]
    windows.sort(key=lambda w: (w.end_on, w.member.name, w.vendor))
    underused = [u for d in results for u in d.underused_assets] + [
        u
        for a in assets
        if a.domain_id not in domains
        and (u := _underused(a, members[a.member_id], None, texts["assets"]))
    ]
    underused.sort(key=lambda u: (u.utilisation_rate, u.member.name, u.name))
    costs, overall, excluded = territory_costs(inputs.members, services)
    territory = Territory(
        member_count=len(inputs.members),
        answered_count=len({s.member_id for s in services}),
        submitted_count=inputs.submitted_count,
        population=sum(m.population or 0 for m in inputs.members),
        fte=sum((s.fte for s in services), ZERO),
        staff_cost=sum((s.staff_cost for s in services), ZERO),
        operating_cost=sum((s.operating_cost for s in services), ZERO),
        member_costs=costs,
        cost_per_inhabitant=overall,
        excluded_no_population=excluded,
        fragility_count=sum(len(d.fragilities) for d in results),
        contract_windows=tuple(windows),
        underused_assets=tuple(underused),
        deadlines=contract_deadlines(contracts, members, domains, texts["contracts"], on),
    )
    return Diagnostic(inputs.body_name, inputs.year, inputs.is_sample, on, territory, results)
