"""Documented per-domain defaults of the scenario cost model (pure data, no Django).

Each value carries its source; a value that is only a practitioners' rule of thumb says
« hypothèse à valider ». Values computed from the inventory (average loaded cost of an
ETP, productivity observed today) override these where the inventory allows it: see
`analysis.prefill`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

TO_VALIDATE = "hypothèse à valider"


@dataclass(frozen=True)
class DomainDefaults:
    """Cost-model defaults of one domain; `source` explains where they come from."""

    workload_unit: str
    productivity: Decimal
    staff_category: str
    fixed_costs: Decimal
    cost_per_unit: Decimal
    transition_costs: Decimal
    staffing_step: Decimal
    manager_span: int | None
    source: str


# Loaded yearly cost of one ETP by category (salary, charges, regime indemnitaire).
COST_PER_FTE = {"A": Decimal(58000), "B": Decimal(46000), "C": Decimal(38000)}
COST_PER_FTE_SOURCE = f"coût chargé moyen d'un agent territorial par catégorie — {TO_VALIDATE}"

STAFF_INDEXATION = Decimal("0.025")
OTHER_INDEXATION = Decimal("0.02")
DISCOUNT_RATE = Decimal("0.03")
RATES_SOURCE = (
    f"glissement vieillesse technicité et inflation des dernières années ; taux "
    f"d'actualisation usuel des collectivités — {TO_VALIDATE}"
)

DOMAINS: dict[str, DomainDefaults] = {
    "ads": DomainDefaults(
        "equivalent_pc",
        Decimal(250),
        "B",
        Decimal(15000),
        Decimal(0),
        Decimal(20000),
        Decimal("0.5"),
        None,
        "ratio usuel des services instructeurs : 200 à 300 équivalents permis de construire "
        f"par instructeur et par an ; logiciel d'instruction et dématérialisation — {TO_VALIDATE}",
    ),
    "informatique": DomainDefaults(
        "postes",
        Decimal(150),
        "B",
        Decimal(25000),
        Decimal(120),
        Decimal(30000),
        Decimal("0.5"),
        None,
        "un technicien pour 100 à 200 postes ; supervision, sauvegardes et licences par "
        f"poste — {TO_VALIDATE}",
    ),
    "rh": DomainDefaults(
        "bulletins",
        Decimal(2000),
        "C",
        Decimal(8000),
        Decimal(2),
        Decimal(10000),
        Decimal("0.5"),
        None,
        f"un gestionnaire de paie pour 150 à 200 agents ; logiciel de paie — {TO_VALIDATE}",
    ),
    "finances": DomainDefaults(
        "mandats",
        Decimal(3000),
        "C",
        Decimal(6000),
        Decimal(0),
        Decimal(8000),
        Decimal("0.5"),
        None,
        f"ratio usuel d'un service comptable mutualisé ; logiciel financier — {TO_VALIDATE}",
    ),
    "secretariat": DomainDefaults(
        "actes",
        Decimal(1500),
        "C",
        Decimal(3000),
        Decimal(0),
        Decimal(5000),
        Decimal("0.5"),
        None,
        f"secrétariat itinérant : ratio usuel des centres de gestion — {TO_VALIDATE}",
    ),
    "voirie": DomainDefaults(
        "km",
        Decimal(25),
        "C",
        Decimal(20000),
        Decimal(900),
        Decimal(40000),
        Decimal(1),
        None,
        f"une équipe d'entretien pour 25 km de voirie communale ; matériel — {TO_VALIDATE}",
    ),
    "messagerie": DomainDefaults(
        "boites",
        Decimal(800),
        "B",
        Decimal(5000),
        Decimal(45),
        Decimal(8000),
        Decimal("0.5"),
        None,
        f"administration d'une messagerie mutualisée ; coût par boîte — {TO_VALIDATE}",
    ),
}

GENERIC = DomainDefaults(
    "interventions",
    Decimal(1000),
    "C",
    Decimal(0),
    Decimal(0),
    Decimal(0),
    Decimal("0.5"),
    None,
    f"valeurs génériques, aucun ratio documenté pour ce domaine — {TO_VALIDATE}",
)


def for_domain(code: str) -> DomainDefaults:
    return DOMAINS.get(code, GENERIC)
