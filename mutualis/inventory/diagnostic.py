"""The diagnostic of an inventory campaign: who does what, how, at what cost, and where
pooling looks most promising.

`build_diagnostic(campaign, on=...)` reads the campaign in a fixed number of queries
(whatever the number of members) into plain frozen dataclasses (`Inputs`), then
`analyse(inputs, on)` computes everything from those values alone, so the analysis is
testable without a database. Rules and weights are documented in docs/diagnostic.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db.models import F, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mutualis.engine.annualised import Equipment, annualised_cost
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import format_number, format_percent, to_cents
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.territories.models import Domain, Member

ZERO = Decimal(0)
ONE = Decimal(1)
FTE_PLACES = Decimal("0.01")

# A function held by less than half an ETP is fragile; so is a service that rests on at
# most one ETP (the inventory stores ETP, not headcounts: "single agent" means ETP ≤ 1).
FRAGILE_FTE = Decimal("0.5")
SINGLE_AGENT_FTE = Decimal(1)
CONTRACT_WINDOW_MONTHS = 24
UNDERUSED_RATE = Decimal(50)  # percent

MODES: tuple[str, ...] = tuple(ServiceRecord.Mode.values)

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


# --- inputs: what the database holds, as plain values -------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    id: int
    name: str
    code: str
    population: int | None


@dataclass(frozen=True)
class DomainInfo:
    id: int
    code: str
    name: str
    family: str


@dataclass(frozen=True)
class ServiceFact:
    member_id: int
    domain_id: int
    mode: str
    fte: Decimal
    staff_cost: Decimal
    operating_cost: Decimal
    needs: str = ""
    difficulties: str = ""

    @property
    def total_cost(self) -> Decimal:
        return self.staff_cost + self.operating_cost


@dataclass(frozen=True)
class ContractFact:
    member_id: int
    domain_id: int | None
    kind: str
    vendor: str
    product: str
    yearly_cost: Decimal
    start_on: date
    end_on: date | None
    notice_period_months: int | None = None


@dataclass(frozen=True)
class AssetFact:
    member_id: int
    domain_id: int | None
    kind: str
    name: str
    utilisation_rate: Decimal | None
    shareable: bool
    acquisition_cost: Decimal | None = None
    subsidies: Decimal = ZERO
    useful_life_years: int | None = None
    running_cost: Decimal = ZERO

    @property
    def annual_cost(self) -> Decimal | None:
        """Annualised cost (CGI art. 1609 nonies C), when cost and useful life are known."""
        if self.acquisition_cost is None or not self.useful_life_years:
            return None
        if self.subsidies > self.acquisition_cost:
            return None
        return annualised_cost(
            Equipment(
                label=self.name,
                cost=self.acquisition_cost,
                useful_life_years=self.useful_life_years,
                subsidies=self.subsidies,
                upkeep_per_year=self.running_cost,
            )
        ).annual_cost


@dataclass(frozen=True)
class Inputs:
    body_name: str
    year: int
    is_sample: bool
    members: tuple[MemberInfo, ...]
    domains: tuple[DomainInfo, ...]
    services: tuple[ServiceFact, ...]
    contracts: tuple[ContractFact, ...] = ()
    assets: tuple[AssetFact, ...] = ()
    submitted_count: int = 0


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeCount:
    mode: str
    label: str
    count: int


@dataclass(frozen=True)
class MemberLine:
    """One member's answer for one domain."""

    member: MemberInfo
    mode: str
    mode_label: str
    fte: Decimal
    staff_cost: Decimal
    operating_cost: Decimal
    total_cost: Decimal
    cost_per_inhabitant: Decimal | None
    fragility: str  # "" when not fragile


@dataclass(frozen=True)
class Fragility:
    member: MemberInfo
    domain: DomainInfo
    fte: Decimal
    reason: str


@dataclass(frozen=True)
class ContractWindow:
    member: MemberInfo
    domain: DomainInfo | None
    kind_label: str
    vendor: str
    product: str
    yearly_cost: Decimal
    end_on: date
    months_left: int
    notice_by: date | None  # last day to give notice, when a notice period is known


@dataclass(frozen=True)
class ProductUse:
    vendor: str
    product: str
    members: tuple[str, ...]
    yearly_cost: Decimal


@dataclass(frozen=True)
class UnderusedAsset:
    member: MemberInfo
    domain: DomainInfo | None
    kind_label: str
    name: str
    utilisation_rate: Decimal
    annual_cost: Decimal | None


@dataclass(frozen=True)
class Need:
    member: MemberInfo
    domain: DomainInfo
    needs: str
    difficulties: str


@dataclass(frozen=True)
class MemberCost:
    """A member's cost per inhabitant (population municipale)."""

    member: MemberInfo
    total_cost: Decimal
    population: int
    cost_per_inhabitant: Decimal


@dataclass(frozen=True)
class ScoreComponent:
    key: str
    label: str
    weight: int
    value: Decimal  # in [0, 1]
    points: Decimal  # weight × value
    formula: str


@dataclass(frozen=True)
class OpportunityScore:
    value: int  # 0..100
    components: tuple[ScoreComponent, ...]
    explanation: Explanation


@dataclass(frozen=True)
class DomainDiagnostic:
    domain: DomainInfo
    modes: tuple[ModeCount, ...]
    answered_count: int
    covered_count: int  # members providing the service one way or another
    fte: Decimal
    staff_cost: Decimal
    operating_cost: Decimal
    lines: tuple[MemberLine, ...]
    fragilities: tuple[Fragility, ...]
    contract_windows: tuple[ContractWindow, ...]
    products: tuple[ProductUse, ...]
    underused_assets: tuple[UnderusedAsset, ...]
    needs: tuple[Need, ...]
    member_costs: tuple[MemberCost, ...]
    cost_dispersion: Decimal | None  # coefficient of variation of the cost per inhabitant
    score: OpportunityScore

    @property
    def total_cost(self) -> Decimal:
        return self.staff_cost + self.operating_cost

    @property
    def product_count(self) -> int:
        return len(self.products)

    @property
    def vendors(self) -> tuple[str, ...]:
        return tuple(sorted({p.vendor for p in self.products}, key=str.casefold))


@dataclass(frozen=True)
class Territory:
    member_count: int
    answered_count: int  # members with at least one service record
    submitted_count: int
    population: int  # population municipale of every member that has one
    fte: Decimal
    staff_cost: Decimal
    operating_cost: Decimal
    member_costs: tuple[MemberCost, ...]  # sorted by cost per inhabitant, highest first
    cost_per_inhabitant: Decimal | None  # Σ cost / Σ population of the members above
    excluded_no_population: tuple[MemberInfo, ...]  # answered but without a population
    fragility_count: int
    contract_windows: tuple[ContractWindow, ...]
    underused_assets: tuple[UnderusedAsset, ...]

    @property
    def total_cost(self) -> Decimal:
        return self.staff_cost + self.operating_cost

    @property
    def completion(self) -> Decimal:
        """Share of members whose answer is submitted, in [0, 1]."""
        if not self.member_count:
            return ZERO
        return Decimal(self.submitted_count) / Decimal(self.member_count)

    @property
    def completion_text(self) -> str:
        return format_percent(self.completion, 0)


@dataclass(frozen=True)
class Diagnostic:
    body_name: str
    year: int
    is_sample: bool
    on: date
    territory: Territory
    domains: tuple[DomainDiagnostic, ...]

    @property
    def mode_labels(self) -> tuple[str, ...]:
        return tuple(_mode_label(mode) for mode in MODES)

    def domain(self, domain_id: int) -> DomainDiagnostic | None:
        return next((d for d in self.domains if d.domain.id == domain_id), None)

    @property
    def by_score(self) -> tuple[DomainDiagnostic, ...]:
        return tuple(sorted(self.domains, key=lambda d: (-d.score.value, d.domain.name)))


# --- small pure helpers --------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of shorter months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (end ≥ start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def fte_text(value: Decimal) -> str:
    return format_number(value, 2)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    return ZERO if not denominator else Decimal(numerator) / Decimal(denominator)


@lru_cache(maxsize=8)
def _labels_in(language: str | None) -> dict[str, dict[str, str]]:
    return {
        "modes": {code: str(label) for code, label in ServiceRecord.Mode.choices},
        "contracts": {code: str(label) for code, label in Contract.Kind.choices},
        "assets": {code: str(label) for code, label in Asset.Kind.choices},
        "fragility": {
            "half": _("fonction tenue par moins de 0,5 ETP"),
            "single": _("service reposant sur un seul agent (1 ETP au plus)"),
        },
    }


def labels() -> dict[str, dict[str, str]]:
    """Translated labels, looked up once per language rather than once per row."""
    return _labels_in(get_language())


def fragility_reason(mode: str, fte: Decimal) -> str:
    """Why an in-house service is fragile, or "" when it is not.

    Only services run in-house (en régie) count: an outsourced or pooled service does not
    rest on the member's own staff.
    """
    if mode != ServiceRecord.Mode.IN_HOUSE:
        return ""
    if fte < FRAGILE_FTE:
        return labels()["fragility"]["half"]
    if fte <= SINGLE_AGENT_FTE:
        return labels()["fragility"]["single"]
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


def is_within_window(end_on: date | None, on: date, months: int = CONTRACT_WINDOW_MONTHS) -> bool:
    """A contract ends between `on` and `on` + `months` months, both included."""
    return end_on is not None and on <= end_on <= add_months(on, months)


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


def _mode_label(mode: str) -> str:
    return labels()["modes"].get(mode, mode)


def _window(
    contract: ContractFact, member: MemberInfo, domain: DomainInfo | None, on: date
) -> ContractWindow:
    notice_by = (
        add_months(contract.end_on, -contract.notice_period_months)  # type: ignore[arg-type]
        if contract.notice_period_months
        else None
    )
    kinds = labels()["contracts"]
    return ContractWindow(
        member=member,
        domain=domain,
        kind_label=kinds.get(contract.kind, contract.kind),
        vendor=contract.vendor,
        product=contract.product,
        yearly_cost=contract.yearly_cost,
        end_on=contract.end_on,  # type: ignore[arg-type]
        months_left=months_between(on, contract.end_on),  # type: ignore[arg-type]
        notice_by=notice_by,
    )


def _underused(
    asset: AssetFact, member: MemberInfo, domain: DomainInfo | None
) -> UnderusedAsset | None:
    rate = asset.utilisation_rate
    if not asset.shareable or rate is None or rate >= UNDERUSED_RATE:
        return None
    kinds = labels()["assets"]
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
    services = sorted(services, key=lambda s: (members[s.member_id].name, s.member_id))
    counts = {mode: 0 for mode in MODES}
    lines, fragilities, needs, costs = [], [], [], []
    for s in services:
        member = members[s.member_id]
        counts[s.mode] = counts.get(s.mode, 0) + 1
        reason = fragility_reason(s.mode, s.fte)
        per_inhabitant = cost_per_inhabitant(s.total_cost, member.population)
        lines.append(
            MemberLine(
                member,
                s.mode,
                _mode_label(s.mode),
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
            _window(c, members[c.member_id], domain, on)
            for c in contracts
            if is_within_window(c.end_on, on)
        ),
        key=lambda w: (w.end_on, w.member.name, w.vendor),
    )
    names = {m.id: m.name for m in members.values()}
    products = distinct_products(contracts, names)
    underused = [
        u for a in assets if (u := _underused(a, members[a.member_id], domain)) is not None
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
        modes=tuple(ModeCount(m, _mode_label(m), counts[m]) for m in MODES),
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
    by_domain: dict[int, tuple[list, list, list]] = {d: ([], [], []) for d in domains}
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
    windows = [w for d in results for w in d.contract_windows] + [
        _window(c, members[c.member_id], None, on)
        for c in contracts
        if c.domain_id not in domains and is_within_window(c.end_on, on)
    ]
    windows.sort(key=lambda w: (w.end_on, w.member.name, w.vendor))
    underused = [u for d in results for u in d.underused_assets] + [
        u
        for a in assets
        if a.domain_id not in domains and (u := _underused(a, members[a.member_id], None))
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
    )
    return Diagnostic(inputs.body_name, inputs.year, inputs.is_sample, on, territory, results)


# --- loading ----------------------------------------------------------------------------


def load_inputs(campaign: Campaign, *, domain_id: int | None = None) -> Inputs:
    """Read a campaign in eight queries, whatever the number of members and domains.

    With `domain_id`, only that domain's records are read (the domain page).
    """
    body = campaign.pooling_body
    members = tuple(
        MemberInfo(row["id"], row["name"], row["insee_code"] or row["siren"], row["pop"])
        for row in Member.objects.filter(pooling_body_id=body.pk)
        .order_by("name", "insee_code")
        .values("id", "name", "insee_code", "siren", pop=F("population_municipale"))
    )
    domain_rows = campaign.domains.order_by("family", "position", "name")
    if domain_id is not None:
        domain_rows = domain_rows.filter(pk=domain_id)
    families = dict(Domain.Family.choices)
    domains = tuple(
        DomainInfo(row["id"], row["code"], row["name"], str(families.get(row["family"], "")))
        for row in domain_rows.values("id", "code", "name", "family")
    )
    scope = {"campaign": campaign}
    if domain_id is not None:
        scope["domain_id"] = domain_id
    # Summed in the database: exact NUMERIC on PostgreSQL; on SQLite the converter
    # quantises each sum back to the field's two decimals.
    lines = {f"service__{k}": v for k, v in scope.items()}
    staff = {
        row["service_id"]: (row["fte_sum"], row["cost_sum"])
        for row in StaffLine.objects.filter(**lines)
        .order_by()
        .values("service_id")
        .annotate(fte_sum=Sum("fte"), cost_sum=Sum("cost_amount"))
    }
    operating = {
        row["service_id"]: row["amount_sum"]
        for row in CostLine.objects.filter(**lines)
        .order_by()
        .values("service_id")
        .annotate(amount_sum=Sum("amount"))
    }
    services = tuple(
        ServiceFact(
            member_id=row["member_id"],
            domain_id=row["domain_id"],
            mode=row["mode"],
            fte=staff.get(row["id"], (ZERO, ZERO))[0],
            staff_cost=staff.get(row["id"], (ZERO, ZERO))[1],
            operating_cost=operating.get(row["id"], ZERO),
            needs=row["needs"],
            difficulties=row["difficulties"],
        )
        for row in ServiceRecord.objects.filter(**scope)
        .order_by()
        .values("id", "member_id", "domain_id", "mode", "needs", "difficulties")
    )
    contracts = tuple(
        ContractFact(**row)
        for row in Contract.objects.filter(**scope)
        .order_by()
        .values(
            "member_id",
            "domain_id",
            "kind",
            "vendor",
            "product",
            "start_on",
            "end_on",
            "notice_period_months",
            yearly_cost=F("yearly_cost_amount"),
        )
    )
    assets = tuple(
        AssetFact(**row)
        for row in Asset.objects.filter(**scope)
        .order_by()
        .values(
            "member_id",
            "domain_id",
            "kind",
            "name",
            "utilisation_rate",
            "shareable",
            "useful_life_years",
            acquisition_cost=F("acquisition_cost_amount"),
            subsidies=F("subsidies_amount"),
            running_cost=F("running_cost_amount"),
        )
    )
    submitted = Submission.objects.filter(
        campaign=campaign, status=Submission.Status.SUBMITTED
    ).count()
    return Inputs(
        body_name=body.name,
        year=campaign.year,
        is_sample=campaign.is_sample,
        members=members,
        domains=domains,
        services=services,
        contracts=contracts,
        assets=assets,
        submitted_count=submitted,
    )


def build_diagnostic(campaign: Campaign, *, on: date, domain_id: int | None = None) -> Diagnostic:
    """Load a campaign and analyse it; `on` is the caller's today (contract windows)."""
    return analyse(load_inputs(campaign, domain_id=domain_id), on)
