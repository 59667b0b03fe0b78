"""The legal basis per form: each form cites its own texts."""

from __future__ import annotations

import pytest

from mutualis.engine.errors import InvalidParameter
from mutualis.engine.legal import FORMS, legal_basis, unit_cost_reference

CODES = (
    "service_commun",
    "mad_ascendante",
    "mad_descendante",
    "prestation",
    "convention_communes",
    "entente",
    "groupement_commandes",
    "syndicat_gip",
    "biens_partages",
)


def test_stable_codes() -> None:
    assert tuple(FORMS) == CODES


def test_mise_a_disposition_cites_l5211_4_1_and_the_decree() -> None:
    for form in ("mad_ascendante", "mad_descendante"):
        basis = legal_basis(form)
        assert basis.citation.startswith("CGCT art. L.5211-4-1")
        assert unit_cost_reference(form) == "CGCT art. D.5211-16"


def test_conventions_between_communes_cite_r5111_1() -> None:
    assert legal_basis("convention_communes").citation == "CGCT art. L.5111-1-1"
    assert unit_cost_reference("convention_communes") == "CGCT art. R.5111-1"


def test_service_commun_cites_d5211_16_only_as_a_contractual_choice() -> None:
    basis = legal_basis("service_commun")
    assert basis.citation == "CGCT art. L.5211-4-2"
    assert "CGI art. 1609 nonies C" in basis.financial
    assert basis.attribution_compensation
    assert all("D.5211-16" not in text for text in basis.basis + basis.financial)
    with pytest.raises(InvalidParameter, match="choix contractuel"):
        unit_cost_reference("service_commun")
    assert "choix contractuel" in unit_cost_reference("service_commun", contractual_choice=True)


def test_other_forms_and_unknown_codes() -> None:
    with pytest.raises(InvalidParameter, match="pas de remboursement"):
        unit_cost_reference("groupement_commandes")
    with pytest.raises(InvalidParameter, match="Forme juridique inconnue"):
        legal_basis("sivom")
