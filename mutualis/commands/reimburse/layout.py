"""The reimbursement workbook: its sheets, columns, parameters and instructions."""

from __future__ import annotations

from decimal import Decimal

from mutualis.engine.reimbursement import CATEGORY_LABELS, ChargeCategory
from mutualis.sheets import Limits, Messages, normalise

MAX_AMOUNT = Decimal(10) ** 10
"""Largest amount (€) or number of units in a cell: 10 000 000 000."""
MIB = 1024 * 1024
LIMITS = Limits(max_file_bytes=20 * MIB, max_uncompressed_bytes=200 * MIB, max_rows=10_000)
MAX_TEXT = 500

PARAMETERS = "Parametres"
CHARGES = "Charges"
ADJUSTMENTS = "Ajustements"
UNITS = "Unites"
INSTRUCTIONS = "Instructions"

COL_KEY, COL_VALUE = "Paramètre", "Valeur"
COL_CATEGORY, COL_LABEL, COL_AMOUNT = "Catégorie", "Libellé", "Montant"
COL_ELIGIBLE, COL_REASON = "Éligible", "Motif"
COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE = "Code membre", "Nom", "Unités", "Usage propre"

HEADERS: dict[str, tuple[str, ...]] = {
    PARAMETERS: (COL_KEY, COL_VALUE),
    CHARGES: (COL_CATEGORY, COL_LABEL, COL_AMOUNT, COL_ELIGIBLE, COL_REASON),
    ADJUSTMENTS: (COL_LABEL, COL_AMOUNT, COL_REASON),
    UNITS: (COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE),
}
OPTIONAL_COLUMNS = {COL_OWN_USE, COL_REASON, COL_ELIGIBLE}
OPTIONAL_SHEETS = {ADJUSTMENTS}
LAST_TEMPLATE_ROW = 500
MESSAGES = Messages(
    missing_sheet="feuille absente du classeur.",
    missing_column="colonne absente (en-tête attendu en ligne 1).",
    required="valeur obligatoire manquante.",
    too_many_rows="trop de lignes ({limit} au plus).",
)

P_PROVIDER = "Structure qui fournit le service"
P_FORM = "Forme juridique"
P_CONTRACTUAL = "Méthode du coût unitaire adoptée par la convention"
P_YEAR = "Année d'application"
P_ACCOUNTS = "Année du compte administratif"
P_FORECAST = "Unités prévisionnelles"
P_UNIT = "Libellé des unités"
P_NOTIFIED = "Date de notification du coût unitaire"
P_FIRST = "Première année de la convention"
P_SIGNED = "Date de signature de la convention"
P_RENEWAL = "Année de renouvellement des conseils"
P_PERIODICITY = "Périodicité (mois)"
P_PERIOD = "Période facturée"
P_CLAUSE = "Clause de régularisation sur le coût réel"
P_ACTUAL = "Coût réel constaté"

TEMPLATE_PARAMETERS: tuple[tuple[str, object], ...] = (
    (P_PROVIDER, "Communauté de communes"),
    (P_FORM, "mad_descendante"),
    (P_CONTRACTUAL, "non"),
    (P_YEAR, 2026),
    (P_ACCOUNTS, 2024),
    (P_FORECAST, None),
    (P_UNIT, "actes"),
    (P_NOTIFIED, None),
    (P_FIRST, "non"),
    (P_SIGNED, None),
    (P_RENEWAL, "non"),
    (P_PERIODICITY, 12),
    (P_PERIOD, "Année 2026"),
    (P_CLAUSE, None),
    (P_ACTUAL, None),
)

INSTRUCTIONS_TEXT = (
    "Mutualis — état des utilisations d'un service, méthode du décret",
    "(CGCT art. D.5211-16 pour une mise à disposition ; R.5111-1 pour une convention entre "
    "communes)",
    "",
    "Feuille « Parametres » : une valeur par paramètre (colonne B).",
    "  Forme juridique : mad_ascendante, mad_descendante, convention_communes, ou "
    "service_commun / prestation si la convention adopte la méthode (choix contractuel : oui).",
    "  Années : application et dernier compte administratif (antérieur).",
    "  Unités prévisionnelles : strictement positives. Périodicité : 1 à 12 mois.",
    "  Date de notification : avant le 15 avril (30 avril l'année du renouvellement des "
    "conseils, CGCT art. L.1612-2), ou dans les 3 mois de la signature la première année.",
    "  Clause de régularisation et coût réel : seulement si la convention prévoit une "
    "régularisation sur le coût réel ; nommez la clause (« article 7 de la convention »).",
    "Feuille « Charges » : charges du dernier compte administratif.",
    "  Catégorie : personnel, fournitures, renouvellement des biens, contrats de services, "
    "autre, ou vide.",
    "  Éligible : vide pour la règle par défaut (les quatre premières catégories oui, autre "
    "ou vide non) ; oui pour retenir une charge autre ou sans catégorie, avec un motif.",
    "Feuille « Ajustements » (facultative) : évolutions prévues au budget primitif, montant "
    "signé, motif obligatoire.",
    "Feuille « Unites » : unités réellement constatées par bénéficiaire ; Usage propre : oui "
    "sur la seule ligne de la structure (non facturée).",
    "",
    "Calcul : mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx",
    "  Coût unitaire = (charges éligibles + ajustements) / unités prévisionnelles, en pleine "
    "précision ; montant = coût unitaire × unités constatées, arrondi une fois au centime "
    "(règle d'arrondi de Mutualis, non fixée par le décret).",
    "Ne renommez pas les feuilles ni les en-têtes de colonnes (ligne 1).",
)

CATEGORY_NAMES: dict[str, ChargeCategory] = {}
for _category in ChargeCategory:
    CATEGORY_NAMES[normalise(_category.value)] = _category
    CATEGORY_NAMES[normalise(CATEGORY_LABELS[_category])] = _category
CATEGORY_NAMES[normalise("autres")] = ChargeCategory.OTHER

DECREE_CATEGORIES = {
    ChargeCategory.PERSONNEL,
    ChargeCategory.SUPPLIES,
    ChargeCategory.RENEWAL,
    ChargeCategory.SERVICE_CONTRACTS,
}
