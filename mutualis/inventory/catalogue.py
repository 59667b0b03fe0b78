"""Code lists of the inventory: provision modes, staff categories, M57 chapters, units.

The codes are what the workbook and the database store; the labels are what users read.
Each domain code of `mutualis.territories.domains` gets default activity units, offered
first in the forms; any unit of the catalogue stays allowed for any domain.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

# M57 operating expense chapters (nomenclature budgétaire et comptable M57).
CHAPTERS: dict[str, StrPromise] = {
    "011": _("011 — Charges à caractère général"),
    "012": _("012 — Charges de personnel et frais assimilés (hors tableau du personnel)"),
    "014": _("014 — Atténuations de produits"),
    "65": _("65 — Autres charges de gestion courante"),
    "66": _("66 — Charges financières"),
    "67": _("67 — Charges spécifiques"),
    "68": _("68 — Dotations aux amortissements et provisions"),
}

UNITS: dict[str, StrPromise] = {
    "bulletins": _("bulletins de paie par an"),
    "agents": _("agents gérés"),
    "mandats": _("mandats et titres émis par an"),
    "marches": _("marchés passés par an"),
    "actes": _("actes (délibérations, arrêtés, état civil) par an"),
    "postes": _("postes de travail"),
    "boites": _("boîtes aux lettres électroniques"),
    "comptes": _("comptes utilisateurs"),
    "equivalent_pc": _("équivalents permis de construire par an"),
    "km": _("km de voirie"),
    "m2": _("m² de bâtiments ou d'espaces verts"),
    "enfants": _("enfants accueillis"),
    "heures": _("heures par an"),
    "prets": _("prêts de documents par an"),
    "habitants": _("habitants desservis"),
    "tonnes": _("tonnes par an"),
    "interventions": _("interventions par an"),
    "dossiers": _("dossiers traités par an"),
    "publications": _("publications par an"),
    "jeux_donnees": _("jeux de données publiés"),
    "lignes": _("lignes téléphoniques"),
}

DEFAULT_UNITS: dict[str, tuple[str, ...]] = {
    "rh": ("bulletins", "agents"),
    "finances": ("mandats",),
    "achats": ("marches",),
    "juridique": ("dossiers",),
    "informatique": ("postes", "interventions"),
    "secretariat": ("actes", "heures"),
    "communication": ("publications",),
    "ads": ("equivalent_pc",),
    "voirie": ("km", "heures"),
    "services-techniques": ("m2", "heures", "interventions"),
    "enfance-jeunesse": ("enfants", "heures"),
    "culture": ("prets", "heures"),
    "sport": ("heures", "m2"),
    "action-sociale": ("dossiers", "habitants"),
    "habitat": ("dossiers",),
    "eau-assainissement": ("habitants", "km"),
    "dechets": ("tonnes", "habitants"),
    "police": ("heures", "interventions"),
    "hebergement": ("postes",),
    "messagerie": ("boites",),
    "identite": ("comptes",),
    "e-administration": ("dossiers",),
    "logiciels-metier": ("postes", "comptes"),
    "sig": ("comptes",),
    "open-data": ("jeux_donnees",),
    "dpo": ("dossiers",),
    "cybersecurite": ("postes", "interventions"),
    "telephonie": ("lignes",),
}


def units_for(domain_code: str) -> list[tuple[str, str]]:
    """Unit choices for a domain: its defaults first, then the rest of the catalogue."""
    first = DEFAULT_UNITS.get(domain_code, ())
    rest = [code for code in UNITS if code not in first]
    return [(code, str(UNITS[code])) for code in (*first, *rest)]
