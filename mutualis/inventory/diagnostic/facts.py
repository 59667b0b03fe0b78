"""The diagnostic's values: what is read from the database and what the analysis returns.

Plain frozen dataclasses, so that the analysis runs and is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mutualis.engine.explain import Explanation
from mutualis.engine.money import format_percent
from mutualis.inventory import rules
from mutualis.inventory.models import Asset, Contract, ServiceRecord

ZERO = Decimal(0)
MODES: tuple[str, ...] = tuple(ServiceRecord.Mode.values)


Labels = dict[str, dict[str, str]]


@lru_cache(maxsize=8)
def _labels_in(language: str | None) -> Labels:
    return {
        "modes": {code: str(label) for code, label in ServiceRecord.Mode.choices},
        "contracts": {code: str(label) for code, label in Contract.Kind.choices},
        "assets": {code: str(label) for code, label in Asset.Kind.choices},
        "fragility": {
            "half": _("fonction tenue par moins de 0,5 ETP"),
            "single": _("service reposant sur un seul agent (1 ETP au plus)"),
        },
    }


def labels() -> Labels:
    """Translated labels, looked up once per language rather than once per row."""
    return _labels_in(get_language())


def _mode_label(mode: str) -> str:
    return labels()["modes"].get(mode, mode)


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
    id: int = 0  # the contract's key: the calendar's stable event identifiers


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
        return rules.annual_cost(
            self.name,
            self.acquisition_cost,
            self.useful_life_years,
            self.subsidies,
            self.running_cost,
        )


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
class Deadline:
    """A dated step of a contract in the calendar: its end, or the last day to give notice."""

    on: date
    is_notice: bool
    contract_id: int
    member: MemberInfo
    domain: DomainInfo | None
    kind_label: str
    vendor: str
    product: str
    yearly_cost: Decimal
    end_on: date
    notice_by: date | None

    @property
    def label(self) -> str:
        return _("Date limite de préavis") if self.is_notice else _("Fin du contrat")

    @property
    def slug(self) -> str:
        return "preavis" if self.is_notice else "fin"


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
    # Contract ends and notice dates of the next `CALENDAR_MONTHS` months, by date.
    deadlines: tuple[Deadline, ...] = ()

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
    # True when the detail is limited to the reader's own communes (`scoping.restrict`).
    is_scoped: bool = False

    @property
    def mode_labels(self) -> tuple[str, ...]:
        return tuple(_mode_label(mode) for mode in MODES)

    def domain(self, domain_id: int) -> DomainDiagnostic | None:
        return next((d for d in self.domains if d.domain.id == domain_id), None)

    @property
    def by_score(self) -> tuple[DomainDiagnostic, ...]:
        return tuple(sorted(self.domains, key=lambda d: (-d.score.value, d.domain.name)))


# --- small pure helpers --------------------------------------------------------------------
