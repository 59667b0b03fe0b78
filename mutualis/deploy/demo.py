"""The demo territory: CC Forêts, Seine et Suzon (Côte-d'Or), with demo logins.

Its communes and populations are real (COG 2026). Every other figure added here is
sample data and flagged as such wherever it is shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django_stubs_ext import StrOrPromise

from mutualis.accounts.models import Role
from mutualis.accounts.services import grant_role
from mutualis.conventions.demo import create_sample_convention
from mutualis.inventory.demo import create_sample_campaign
from mutualis.inventory.models import Campaign
from mutualis.operations.demo import create_sample_operations
from mutualis.refdata.services import current_version, load_refdata
from mutualis.scenarios.demo import create_sample_scenarios
from mutualis.territories import services as territories
from mutualis.territories.models import MemberAttribute, PoolingBody

DEMO_EPCI_SIREN = "200039063"
DEMO_PASSWORD = "demo-mutualis"  # noqa: S105 - printed to the user, local demo only
DEMO_REFERENT_INSEE = "21573"  # Saint-Seine-l'Abbaye
SAMPLE_SOURCE = "Données fictives de démonstration"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: StrOrPromise
    email: str
    commune: str = ""


DEMO_EMAIL_DOMAIN = "example.org"  # reserved for examples (RFC 2606): no mail leaves
DEMO_USERS = (
    ("coordination", "Camille", "Coordination", Role.Name.ADMIN),
    ("finances", "Dominique", "Finances", Role.Name.FINANCE),
    ("elu", "Élise", "Élue", Role.Name.VIEWER),
    ("referent", "René", "Référent", Role.Name.REFERENT),
)


def _sample_value(insee_code: str, key: str, low: int, high: int) -> Decimal:
    """Deterministic pseudo-random sample value, so the demo is the same on every machine."""
    digest = hashlib.sha256(f"{insee_code}:{key}".encode()).digest()
    return Decimal(low + int.from_bytes(digest[:4], "big") % (high - low + 1))


@transaction.atomic
def prepare_demo() -> tuple[PoolingBody, list[DemoLogin], Campaign]:
    if current_version() is None:
        load_refdata()
    body = PoolingBody.objects.filter(siren=DEMO_EPCI_SIREN).first()
    if body is None:
        body = territories.create_pooling_body_from_epci(DEMO_EPCI_SIREN)
    members = {m.insee_code: m for m in body.members.all()}
    for member in members.values():
        inhabitants = member.population_municipale or 0
        postes = _sample_value(member.insee_code, "postes", 1, 3) + inhabitants // 300
        voirie = _sample_value(member.insee_code, "voirie", 4, 12) + inhabitants // 120
        for key, label, value, unit in (
            ("postes_informatiques", "Postes informatiques", postes, "postes"),
            ("km_voirie", "Voirie communale", voirie, "km"),
        ):
            MemberAttribute.objects.update_or_create(
                member=member,
                key=key,
                year=2025,
                defaults={
                    "label": label,
                    "value": value,
                    "unit": unit,
                    "source": SAMPLE_SOURCE,
                    "is_sample": True,
                },
            )
    user_model = get_user_model()
    logins = []
    for username, first, last, role in DEMO_USERS:
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": email}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        elif not user.email:
            user.email = email
            user.save(update_fields=["email"])
        referent_of = members[DEMO_REFERENT_INSEE] if role == Role.Name.REFERENT else None
        grant_role(user, body, role, referent_of)
        logins.append(
            DemoLogin(
                username, Role.Name(role).label, user.email, referent_of.name if referent_of else ""
            )
        )
    campaign = create_sample_campaign(body)
    create_sample_scenarios(body, campaign)
    create_sample_convention(body)
    create_sample_operations(body)
    return body, logins, campaign
