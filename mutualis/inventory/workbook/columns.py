"""The inventory workbook's sheets: one spec per sheet (columns, natural key, row check,
store step), read by `parse` and written by `export`.

Numbers are bounded by the documented ranges of `inventory.rules`, the same ones the web
forms apply; row checks call the same rules as the forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from mutualis.inventory import rules
from mutualis.inventory.catalogue import CHAPTERS, UNITS
from mutualis.inventory.models import Asset, Contract, ServiceRecord, StaffLine
from mutualis.sheets import (
    DATE_FORMAT,
    DECIMAL_FORMAT,
    EURO_FORMAT,
    Column,
    SheetSpec,
    cells,
)

HEADER_ROW = 2
FIRST_DATA_ROW = 3
META_SHEET = "Paramètres"
LISTS_SHEET = "Listes"
SAMPLE_BANNER = "Données fictives de démonstration"

MODES = dict(ServiceRecord.Mode.choices)
CATEGORIES = dict(StaffLine.Category.choices)
ASSET_KINDS = dict(Asset.Kind.choices)
CONTRACT_KINDS = dict(Contract.Kind.choices)


def bounded(name: str) -> Callable[[object], Any]:
    """The cell parser of numeric field `name`, within its documented range."""
    bounds = rules.RANGES[name]
    if bounds.places == 0:
        return partial(cells.integer, low=int(bounds.low), high=int(bounds.high))
    return partial(cells.number, low=bounds.low, high=bounds.high, places=bounds.places)


def text(max_length: int) -> Callable[[object], str]:
    return partial(cells.text, max_length=max_length)


MEMBER = Column("Code membre", cells.code, "member", True, 13, list_name="members")
MEMBER_NAME = Column("Membre", None, "member_name", width=28)
DOMAIN = Column("Code domaine", cells.code, "domain", True, 20, list_name="domains")
OPTIONAL_DOMAIN = Column("Code domaine", cells.code, "domain", False, 20, list_name="domains")


def money(header: str, key: str, required: bool = False, width: int = 16) -> Column:
    return Column(header, bounded(key), key, required, width, EURO_FORMAT)


Key = tuple[Any, ...]
Check = Callable[[dict[str, Any]], list[tuple[str, str]]]  # → [(column header, message)]


def _no_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    return []


@dataclass(frozen=True)
class InventorySheet:
    """A data sheet: its columns, what makes a row unique, its row rule, where rows go.

    `natural_key(values, member_id, domain_id)` is None when the row cannot be keyed
    (its member or domain is unknown); `store` names the list of `ParsedWorkbook`.
    """

    spec: SheetSpec
    title: str
    natural_key: Callable[[dict[str, Any], int, int | None], Key | None]
    store: str
    check: Check = _no_check
    needs_domain: bool = True  # rows without a known domain are not stored
    needs_service: bool = False  # the member and domain need a Services row

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.spec.columns


def _services_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problem = rules.unit_problem(values.get("activity_volume"), values.get("activity_unit"))
    return [("Unité", problem)] if problem else []


def _assets_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problem = rules.subsidies_problem(
        values.get("acquisition_cost_amount"), values.get("subsidies_amount")
    )
    return [("Subventions (€)", problem)] if problem else []


def _contracts_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    problem = rules.dates_problem(values.get("start_on"), values.get("end_on"))
    return [("Fin", problem)] if problem else []


def _by_domain(*fields: str) -> Callable[[dict[str, Any], int, int | None], Key | None]:
    def key(values: dict[str, Any], member_id: int, domain_id: int | None) -> Key | None:
        if domain_id is None:
            return None
        return (member_id, domain_id, *(values.get(f) for f in fields))

    return key


def _by_names(*fields: str) -> Callable[[dict[str, Any], int, int | None], Key | None]:
    def key(values: dict[str, Any], member_id: int, domain_id: int | None) -> Key | None:
        return (member_id, *((values.get(f) or "").lower() for f in fields))

    return key


def _spec(name: str, *columns: Column) -> SheetSpec:
    return SheetSpec(name, columns, header_row=HEADER_ROW, match=lambda h: str(h).strip())


SERVICES = InventorySheet(
    _spec(
        "Services",
        MEMBER,
        MEMBER_NAME,
        DOMAIN,
        Column("Mode de gestion", cells.choice(MODES), "mode", False, 16, list_name="modes"),
        Column(
            "Volume d'activité",
            bounded("activity_volume"),
            "activity_volume",
            number_format=DECIMAL_FORMAT,
        ),
        Column("Unité", cells.choice(UNITS), "activity_unit", False, 16, list_name="units"),
        Column("Satisfaction (1 à 5)", bounded("satisfaction"), "satisfaction", width=12),
        Column("Besoins", text(4000), "needs", width=40),
        Column("Difficultés", text(4000), "difficulties", width=40),
    ),
    "Une ligne par membre et par domaine : mode de gestion, activité, besoins.",
    _by_domain(),
    "services",
    _services_check,
)
STAFF = InventorySheet(
    _spec(
        "Personnel",
        MEMBER,
        MEMBER_NAME,
        DOMAIN,
        Column("Catégorie", cells.choice(CATEGORIES), "category", True, 14, list_name="categories"),
        Column("ETP", bounded("fte"), "fte", True, 10, DECIMAL_FORMAT),
        money("Coût annuel chargé (€)", "cost_amount", True, 18),
    ),
    "Agents par catégorie, en équivalents temps plein : jamais de noms.",
    _by_domain("category"),
    "staff",
    needs_service=True,
)
COSTS = InventorySheet(
    _spec(
        "Charges",
        MEMBER,
        MEMBER_NAME,
        DOMAIN,
        Column("Chapitre M57", cells.choice(CHAPTERS), "chapter", True, 12, list_name="chapters"),
        money("Montant (€)", "amount", True),
    ),
    "Charges de fonctionnement par chapitre M57, hors personnel de la feuille Personnel.",
    _by_domain("chapter"),
    "costs",
    needs_service=True,
)
ASSETS = InventorySheet(
    _spec(
        "Equipements",
        MEMBER,
        MEMBER_NAME,
        Column("Désignation", text(150), "name", True, 30),
        Column("Type", cells.choice(ASSET_KINDS), "kind", True, 14, list_name="asset_kinds"),
        OPTIONAL_DOMAIN,
        Column("Adresse", text(250), "address", width=30),
        Column("Latitude", bounded("latitude"), "latitude", width=11),
        Column("Longitude", bounded("longitude"), "longitude", width=11),
        Column("Capacité", bounded("capacity"), "capacity", width=10),
        Column("Année d'acquisition", bounded("acquisition_year"), "acquisition_year"),
        money("Coût d'acquisition (€)", "acquisition_cost_amount"),
        money("Subventions (€)", "subsidies_amount"),
        Column("Durée d'utilisation (ans)", bounded("useful_life_years"), "useful_life_years"),
        money("Fonctionnement annuel (€)", "running_cost_amount"),
        Column("Taux d'utilisation (%)", bounded("utilisation_rate"), "utilisation_rate", width=12),
        Column("Mutualisable", cells.yes_no, "shareable", False, 12, list_name="yes_no"),
    ),
    "Équipements, bâtiments et véhicules, une ligne par bien.",
    _by_names("name"),
    "assets",
    _assets_check,
    needs_domain=False,
)
CONTRACTS = InventorySheet(
    _spec(
        "Contrats",
        MEMBER,
        MEMBER_NAME,
        Column("Fournisseur", text(150), "vendor", True, 24),
        Column("Produit ou objet", text(150), "product", True, 28),
        Column("Type", cells.choice(CONTRACT_KINDS), "kind", True, 16, list_name="contract_kinds"),
        OPTIONAL_DOMAIN,
        money("Coût annuel (€)", "yearly_cost_amount", True),
        Column("Début", cells.day, "start_on", True, 12, DATE_FORMAT),
        Column("Fin", cells.day, "end_on", False, 12, DATE_FORMAT),
        Column("Préavis (mois)", bounded("notice_period_months"), "notice_period_months", width=10),
    ),
    "Contrats, logiciels et abonnements, une ligne par contrat.",
    _by_names("vendor", "product"),
    "contracts",
    _contracts_check,
    needs_domain=False,
)

SHEETS: tuple[InventorySheet, ...] = (SERVICES, STAFF, COSTS, ASSETS, CONTRACTS)
SERVICE_ANSWERS = ("activity_volume", "activity_unit", "satisfaction", "needs", "difficulties")
DEFAULTS: dict[str, dict[str, Any]] = {
    "assets": {
        "subsidies_amount": Decimal("0.00"),
        "running_cost_amount": Decimal("0.00"),
        "shareable": False,
        "address": "",
    }
}
