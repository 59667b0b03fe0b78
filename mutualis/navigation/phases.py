"""The phases of a mutualisation, as shown in the navigation (DESIGN.md §2).

A phase app enables its entry by setting `url_name` (e.g. "scenarios:index") on its line.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class Phase(NamedTuple):
    slug: str
    label: StrPromise
    summary: StrPromise
    url_name: str | None  # None while the phase is not built yet


PHASES: tuple[Phase, ...] = (
    Phase(
        "territoire",
        _("Territoire"),
        _("La structure porteuse, ses membres, leurs adhésions et les domaines."),
        "territories:detail",
    ),
    Phase(
        "diagnostic",
        _("Diagnostic"),
        _("État des lieux par commune et par domaine : agents, équipements, budgets, contrats."),
        "inventory:campaigns",
    ),
    Phase(
        "scenarios",
        _("Scénarios"),
        _("Scénarios chiffrés, projections pluriannuelles et répartition équitable des coûts."),
        "scenarios:list",
    ),
    Phase(
        "conventions",
        _("Conventions"),
        _("Conventions de mutualisation, annexes financières, délibérations et avenants."),
        "conventions:index",
    ),
    Phase(
        "pilotage",
        _("Pilotage"),
        _("Coût unitaire de fonctionnement, états de remboursement, régularisations."),
        "operations:index",
    ),
    Phase(
        "biens",
        _("Biens partagés"),
        _("Catalogue des équipements, véhicules et salles, réservations et prêts."),
        None,
    ),
    Phase(
        "achats",
        _("Achats groupés"),
        _("Groupements de commandes : recensement des besoins, attribution, économies."),
        None,
    ),
    Phase(
        "evaluation",
        _("Évaluation"),
        _("Indicateurs, enquêtes de satisfaction, rapport annuel du schéma de mutualisation."),
        None,
    ),
)

PHASES_BY_SLUG = {phase.slug: phase for phase in PHASES}
