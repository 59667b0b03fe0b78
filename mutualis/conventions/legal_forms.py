"""The legal forms of pooling, each with its legal basis and the terms it requires.

One spec object per form (no dispatch on names elsewhere): the references cited in the
documents, the financial methods the form allows, whether the D.5211-16 decree governs
the reimbursement (unit operating cost, periodicity of at most one year), and the
default document template written for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

DECREE = "CGCT art. D.5211-16"


class LegalFormCode(models.TextChoices):
    MAD_ASCENDANTE = "mad_ascendante", _("Mise à disposition de services ascendante")
    MAD_DESCENDANTE = "mad_descendante", _("Mise à disposition de services descendante")
    SERVICE_COMMUN = "service_commun", _("Service commun")
    PRESTATION = "prestation", _("Prestation de services")
    CONVENTION_COMMUNES = "convention_communes", _("Convention entre communes")
    ENTENTE = "entente", _("Entente intercommunale")
    GROUPEMENT_COMMANDES = "groupement_commandes", _("Groupement de commandes")
    BIENS_PARTAGES = "biens_partages", _("Biens partagés")


class Method(models.TextChoices):
    UNIT_COST = "unit_cost", _("Coût unitaire de fonctionnement × unités prévisionnelles")
    AC_DEDUCTION = "ac_deduction", _("Imputation sur l'attribution de compensation")
    TARIFF = "tariff", _("Tarif par unité")
    KEY = "key", _("Clé de répartition")


# Prestations de services: the article depends on the kind of EPCI.
PRESTATION_REFERENCES = {
    "CC": "CGCT art. L.5214-16-1",
    "CA": "CGCT art. L.5216-7-1",
    "CU": "CGCT art. L.5215-27",
    "METRO": "CGCT art. L.5215-27 (par renvoi de l'art. L.5217-7)",
    "MET69": "CGCT art. L.5215-27 (par renvoi de l'art. L.3651-1)",
}


@dataclass(frozen=True)
class LegalForm:
    code: str
    references: tuple[str, ...]
    methods: tuple[str, ...]
    requires_units: bool
    deliberating_body: str
    subject: str

    @property
    def label(self) -> str:
        return str(LegalFormCode(self.code).label)

    @property
    def template_name(self) -> str:
        return f"conventions/documents/{self.code}.txt"

    def references_for(self, epci_kind: str = "") -> tuple[str, ...]:
        if self.code == LegalFormCode.PRESTATION:
            return (PRESTATION_REFERENCES.get(epci_kind, PRESTATION_REFERENCES["CC"]),)
        return self.references

    @staticmethod
    def decree_applies(method: str) -> bool:
        """The decree governs every reimbursement by unit operating cost."""
        return method == Method.UNIT_COST


LEGAL_FORMS: dict[str, LegalForm] = {
    form.code: form
    for form in (
        LegalForm(
            LegalFormCode.MAD_ASCENDANTE,
            ("CGCT art. L.5211-4-1 (II)", DECREE),
            (Method.UNIT_COST,),
            True,
            "conseil municipal",
            "la mise à disposition des services des communes au profit de l'EPCI",
        ),
        LegalForm(
            LegalFormCode.MAD_DESCENDANTE,
            ("CGCT art. L.5211-4-1 (III)", DECREE),
            (Method.UNIT_COST,),
            True,
            "conseil municipal",
            "la mise à disposition des services de l'EPCI au profit des communes",
        ),
        LegalForm(
            LegalFormCode.SERVICE_COMMUN,
            ("CGCT art. L.5211-4-2", "CGI art. 1609 nonies C"),
            (Method.UNIT_COST, Method.AC_DEDUCTION, Method.KEY),
            False,
            "conseil municipal",
            "la création et le fonctionnement d'un service commun",
        ),
        LegalForm(
            LegalFormCode.PRESTATION,
            (),
            (Method.TARIFF, Method.UNIT_COST),
            False,
            "conseil municipal",
            "une prestation de services",
        ),
        LegalForm(
            LegalFormCode.CONVENTION_COMMUNES,
            ("CGCT art. L.5111-1-1", "CGCT art. R.5111-1", DECREE),
            (Method.UNIT_COST,),
            True,
            "conseil municipal",
            "la mise en commun de services entre communes",
        ),
        LegalForm(
            LegalFormCode.ENTENTE,
            ("CGCT art. L.5221-1", "CGCT art. L.5221-2"),
            (Method.KEY, Method.TARIFF),
            False,
            "conseil municipal",
            "une entente intercommunale",
        ),
        LegalForm(
            LegalFormCode.GROUPEMENT_COMMANDES,
            ("Code de la commande publique art. L.2113-6 à L.2113-8",),
            (Method.KEY,),
            False,
            "conseil municipal",
            "la constitution d'un groupement de commandes",
        ),
        LegalForm(
            LegalFormCode.BIENS_PARTAGES,
            ("CGCT art. L.5211-4-3",),
            (Method.TARIFF, Method.KEY, Method.UNIT_COST),
            False,
            "conseil municipal",
            "l'acquisition et le partage de biens",
        ),
    )
}
