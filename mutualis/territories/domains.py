"""The default domain taxonomy seeded in every new pooling body.

Drawn from the practice described in shared/seeds: functional (support) services are
usually pooled first, operational services carry the public policies, and digital
services form a family of their own. Each pooling body edits its copy.
"""

from __future__ import annotations

from typing import NamedTuple


class DefaultDomain(NamedTuple):
    code: str
    name: str
    family: str
    description: str


DEFAULT_DOMAINS: tuple[DefaultDomain, ...] = (
    DefaultDomain(
        "rh", "Ressources humaines", "functional", "Paie, carrières, formation, recrutement."
    ),
    DefaultDomain(
        "finances", "Finances", "functional", "Budget, comptabilité, exécution, prospective."
    ),
    DefaultDomain(
        "achats", "Achats et commande publique", "functional", "Marchés, groupements de commandes."
    ),
    DefaultDomain(
        "juridique", "Affaires juridiques", "functional", "Conseil, contentieux, assurances."
    ),
    DefaultDomain(
        "informatique", "Informatique", "functional", "Parc, réseaux, assistance aux utilisateurs."
    ),
    DefaultDomain(
        "secretariat",
        "Secrétariat de mairie et assemblées",
        "functional",
        "Actes, délibérations, état civil.",
    ),
    DefaultDomain(
        "communication", "Communication", "functional", "Bulletins, site internet, événements."
    ),
    DefaultDomain(
        "ads",
        "Urbanisme et instruction du droit des sols",
        "operational",
        "Instruction ADS en équivalent permis de construire.",
    ),
    DefaultDomain(
        "voirie", "Voirie", "operational", "Entretien des routes, signalisation, déneigement."
    ),
    DefaultDomain(
        "services-techniques",
        "Services techniques et bâtiments",
        "operational",
        "Entretien des bâtiments et espaces verts.",
    ),
    DefaultDomain(
        "enfance-jeunesse",
        "Enfance et jeunesse",
        "operational",
        "Accueils de loisirs, périscolaire, petite enfance.",
    ),
    DefaultDomain(
        "culture",
        "Culture et lecture publique",
        "operational",
        "Bibliothèques, écoles de musique, programmation.",
    ),
    DefaultDomain(
        "sport", "Sport et équipements sportifs", "operational", "Gymnases, piscines, terrains."
    ),
    DefaultDomain(
        "action-sociale",
        "Action sociale",
        "operational",
        "CCAS, portage de repas, aide à domicile.",
    ),
    DefaultDomain("habitat", "Habitat", "operational", "Amélioration de l'habitat, logement."),
    DefaultDomain(
        "eau-assainissement",
        "Eau et assainissement",
        "operational",
        "Réseaux, contrôle des installations.",
    ),
    DefaultDomain(
        "dechets", "Collecte et traitement des déchets", "operational", "Collecte, déchèteries."
    ),
    DefaultDomain("police", "Police municipale", "operational", "Agents de police mutualisés."),
    DefaultDomain(
        "hebergement",
        "Hébergement et infrastructure",
        "digital",
        "Serveurs, sauvegardes, centre de données.",
    ),
    DefaultDomain(
        "messagerie",
        "Messagerie et outils collaboratifs",
        "digital",
        "Courriel, agendas, partage de fichiers.",
    ),
    DefaultDomain(
        "identite",
        "Identité numérique et authentification unique",
        "digital",
        "Annuaire, SSO, comptes agents.",
    ),
    DefaultDomain(
        "e-administration",
        "E-administration",
        "digital",
        "Démarches en ligne, dématérialisation, parapheur.",
    ),
    DefaultDomain(
        "logiciels-metier", "Logiciels métier", "digital", "Finances, RH, état civil, urbanisme."
    ),
    DefaultDomain(
        "sig", "Système d'information géographique", "digital", "Cadastre, réseaux, cartographie."
    ),
    DefaultDomain(
        "open-data", "Données ouvertes", "digital", "Publication et gouvernance des données."
    ),
    DefaultDomain(
        "dpo",
        "Protection des données (DPO, RGPD)",
        "digital",
        "Délégué mutualisé, registre, analyses d'impact.",
    ),
    DefaultDomain(
        "cybersecurite",
        "Cybersécurité",
        "digital",
        "Politique de sécurité, sensibilisation, réponse aux incidents.",
    ),
    DefaultDomain(
        "telephonie", "Téléphonie et réseaux", "digital", "Téléphonie, fibre, accès internet."
    ),
)
