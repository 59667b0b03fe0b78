"""The allocation rules by key and their French titles, without numpy.

Kept apart from `allocations` so that what only needs the names (the report, the
command's argument parser, the small-game path of `small`) starts without loading numpy.
"""

from __future__ import annotations

METHODS = (
    "shapley",
    "nucleolus",
    "prenucleolus",
    "least-core",
    "scrb",
    "proportional",
    "equal-savings",
)

METHOD_TITLES = {
    "shapley": "valeur de Shapley",
    "nucleolus": "nucléole",
    "prenucleolus": "prénucléole",
    "least-core": "moindre cœur",
    "scrb": "coûts séparables, bénéfices restants (SCRB)",
    "proportional": "au prorata du coût seul",
    "equal-savings": "économies égales",
    "given": "clé fournie",
}

NOTES = {
    "proportional": "coût commun au prorata du coût seul",
    "equal-savings": "même économie pour chaque membre",
    "scrb": "coût séparable plus part du coût non séparable au prorata des bénéfices restants",
}
"""How each closed-form rule obtains its figures (the `note` of its `Allocation`)."""


def enumerated_shapley_note(n: int) -> str:
    """The note of the exact Shapley value computed over the 2^n coalitions."""
    return f"valeur de Shapley exacte, par énumération des {1 << n} coalitions"


def least_core_note(value: float) -> str:
    """The note of a least-core allocation, with the least-core value ε*."""
    return f"moindre cœur : plus grand excédent minimisé, ε* = {value:.2f}"
