"""The legal basis of each form of pooling, and the article its costs are billed under.

A small pure mapping, reused by the Django apps (conventions, operations), the CLI and
the explanations, so that one form always cites the same texts:

- mise à disposition de services (ascending, descending): CGCT L.5211-4-1, reimbursed by
  the decree's unit cost, D.5211-16;
- conventions between communes: L.5111-1-1, reimbursed under R.5111-1;
- service commun: L.5211-4-2; its financial effects are set by its convention and, under
  the fiscalité professionnelle unique, may be charged on the attribution de compensation
  (CGI 1609 nonies C). D.5211-16 is cited only when the convention adopts its method, as a
  contractual choice.

Form codes are stable strings, safe to store in a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from mutualis.engine.errors import InvalidParameter

SERVICE_COMMUN = "service_commun"
MAD_ASCENDANTE = "mad_ascendante"
MAD_DESCENDANTE = "mad_descendante"
PRESTATION = "prestation"
CONVENTION_COMMUNES = "convention_communes"
ENTENTE = "entente"
GROUPEMENT_COMMANDES = "groupement_commandes"
SYNDICAT_GIP = "syndicat_gip"
BIENS_PARTAGES = "biens_partages"

D5211_16 = "CGCT art. D.5211-16"
R5111_1 = "CGCT art. R.5111-1"
CGI_1609 = "CGI art. 1609 nonies C"
CONTRACTUAL_D5211_16 = f"{D5211_16}, méthode retenue par la convention (choix contractuel)"


@dataclass(frozen=True)
class LegalBasis:
    """The texts of one form.

    `basis`: the articles that found the form; `financial`: the articles or instrument
    that set its financial effects; `unit_cost`: the article a unit-cost bill cites when
    the decree applies by law (None otherwise); `contractual_unit_cost`: the method may be
    adopted by the convention as a contractual choice; `attribution_compensation`: the
    cost may be charged on the attribution de compensation (FPU only).
    """

    form: str
    label: str
    basis: tuple[str, ...]
    financial: tuple[str, ...]
    unit_cost: str | None = None
    contractual_unit_cost: bool = False
    attribution_compensation: bool = False

    @property
    def citation(self) -> str:
        return " ; ".join(self.basis)


FORMS: dict[str, LegalBasis] = {
    basis.form: basis
    for basis in (
        LegalBasis(
            SERVICE_COMMUN,
            "Service commun",
            ("CGCT art. L.5211-4-2",),
            ("convention de création du service commun", CGI_1609),
            contractual_unit_cost=True,
            attribution_compensation=True,
        ),
        LegalBasis(
            MAD_ASCENDANTE,
            "Mise à disposition de services (des communes vers l'EPCI)",
            ("CGCT art. L.5211-4-1 (II)",),
            (D5211_16,),
            unit_cost=D5211_16,
        ),
        LegalBasis(
            MAD_DESCENDANTE,
            "Mise à disposition de services (de l'EPCI vers les communes)",
            ("CGCT art. L.5211-4-1 (III)",),
            (D5211_16,),
            unit_cost=D5211_16,
        ),
        LegalBasis(
            PRESTATION,
            "Prestation de services",
            ("CGCT art. L.5214-16-1", "CGCT art. L.5215-27", "CGCT art. L.5216-7-1"),
            ("convention de prestation (prix ou remboursement des frais)",),
            contractual_unit_cost=True,
        ),
        LegalBasis(
            CONVENTION_COMMUNES,
            "Convention entre communes",
            ("CGCT art. L.5111-1-1",),
            (R5111_1,),
            unit_cost=R5111_1,
        ),
        LegalBasis(
            ENTENTE,
            "Entente intercommunale",
            ("CGCT art. L.5221-1", "CGCT art. L.5221-2"),
            ("convention d'entente",),
        ),
        LegalBasis(
            GROUPEMENT_COMMANDES,
            "Groupement de commandes",
            ("Code de la commande publique, art. L.2113-6 à L.2113-8",),
            ("convention constitutive du groupement",),
        ),
        LegalBasis(
            SYNDICAT_GIP,
            "Syndicat ou groupement d'intérêt public",
            (
                "CGCT art. L.5212-1 (syndicat de communes)",
                "CGCT art. L.5711-1 (syndicat mixte)",
                "loi n° 2011-525 du 17 mai 2011, art. 98 et suivants (GIP)",
            ),
            ("statuts ou convention constitutive (contributions des membres)",),
        ),
        LegalBasis(
            BIENS_PARTAGES,
            "Biens partagés",
            ("CGCT art. L.5211-4-3",),
            ("règlement de mise à disposition des biens",),
        ),
    )
}


def legal_basis(form: str) -> LegalBasis:
    """The texts of a form code; InvalidParameter (French) for an unknown code."""
    try:
        return FORMS[form]
    except KeyError:
        raise InvalidParameter(
            f"Forme juridique inconnue « {form} » (attendu : {', '.join(FORMS)}).",
            field="form",
            form=form,
        ) from None


def unit_cost_reference(form: str, *, contractual_choice: bool = False) -> str:
    """The article a unit-cost bill of this form cites.

    D.5211-16 for a mise à disposition, R.5111-1 for conventions between communes; for a
    service commun or a prestation, only when the convention adopts the method
    (`contractual_choice=True`), and then cited as such. Any other case raises
    InvalidParameter with a French message.
    """
    basis = legal_basis(form)
    if basis.unit_cost is not None:
        return basis.unit_cost
    if basis.contractual_unit_cost and contractual_choice:
        return CONTRACTUAL_D5211_16
    if basis.contractual_unit_cost:
        raise InvalidParameter(
            f"{basis.label} : le décret D.5211-16 ne s'applique pas de plein droit ; la "
            "convention doit adopter la méthode du coût unitaire (choix contractuel).",
            field="form",
            form=form,
        )
    raise InvalidParameter(
        f"{basis.label} : pas de remboursement par coût unitaire de fonctionnement "
        f"(effets financiers : {'; '.join(basis.financial)}).",
        field="form",
        form=form,
    )
