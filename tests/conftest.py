"""Personas shared by every Django test (healthchecks' Alice/Bob, Docs' roles).

Two pooling bodies: `body` (where the personas work) and `other_body` (the outsider's).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from mutualis.accounts.models import Role
from mutualis.territories.models import Member, PoolingBody
from tests.factories import (
    MemberFactory,
    MembershipFactory,
    PoolingBodyFactory,
    RoleFactory,
    UserFactory,
)


@dataclass
class World:
    body: PoolingBody
    own_commune: Member
    other_commune: Member
    other_body: PoolingBody
    foreign_commune: Member
    pooling_admin: AbstractBaseUser
    finance_officer: AbstractBaseUser
    elected_official: AbstractBaseUser
    member_agent: AbstractBaseUser
    outsider: AbstractBaseUser
    platform_admin: AbstractBaseUser

    def persona(self, name: str) -> AbstractBaseUser:
        return getattr(self, name)


@pytest.fixture
def world(db: None) -> World:
    body = PoolingBodyFactory(name="CC du Val de Test", siren="200000001")
    other_body = PoolingBodyFactory(name="CA d'Ailleurs", siren="200000002")
    own = MemberFactory(pooling_body=body, name="Saint-Essai", insee_code="21001")
    other = MemberFactory(pooling_body=body, name="Bourg-Témoin", insee_code="21002")
    foreign = MemberFactory(pooling_body=other_body, name="Lointaine", insee_code="69001")
    for member in (own, other, foreign):
        MembershipFactory(member=member)
    users = {
        name: UserFactory(username=name)
        for name in (
            "pooling_admin",
            "finance_officer",
            "elected_official",
            "member_agent",
            "outsider",
        )
    }
    RoleFactory(user=users["pooling_admin"], pooling_body=body, name=Role.Name.ADMIN)
    RoleFactory(user=users["finance_officer"], pooling_body=body, name=Role.Name.FINANCE)
    RoleFactory(user=users["elected_official"], pooling_body=body, name=Role.Name.VIEWER)
    RoleFactory(user=users["member_agent"], pooling_body=body, name=Role.Name.REFERENT, member=own)
    RoleFactory(user=users["outsider"], pooling_body=other_body, name=Role.Name.ADMIN)
    platform_admin = UserFactory(username="platform_admin", is_superuser=True, is_staff=True)
    return World(
        body=body,
        own_commune=own,
        other_commune=other,
        other_body=other_body,
        foreign_commune=foreign,
        platform_admin=platform_admin,
        **users,
    )


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    def login(user: AbstractBaseUser) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_blocker, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Tests run with production settings, so pages need the collected manifest.

    Each run collects into its own directory, so parallel runs do not collide.
    """
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    with django_db_blocker.unblock():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    """Background tasks run at once, inside the request; tests/jobs runs the real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass(frozen=True)
class LoadedRefdata:
    version: object  # mutualis.refdata.models.DatasetVersion
    seconds: float


@pytest.fixture(scope="session")
def refdata(django_db_setup, django_db_blocker) -> Iterator[LoadedRefdata]:  # type: ignore[no-untyped-def]
    """The COG 2026 reference data (34,969 communes), loaded once per test session.

    Loaded outside the per-test transactions, so each test sees it and rolls back its own
    changes; removed when the session ends. Tests asking for it run last (see
    `pytest_collection_modifyitems`), so no other test ever sees these rows.
    """
    from mutualis.refdata.models import Commune, DatasetVersion, Epci
    from mutualis.refdata.services import load_refdata

    with django_db_blocker.unblock():
        started = time.perf_counter()
        version = load_refdata()
        loaded = LoadedRefdata(version, time.perf_counter() - started)
    yield loaded
    with django_db_blocker.unblock():
        Commune.objects.all().delete()
        Epci.objects.all().delete()
        DatasetVersion.objects.all().delete()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using `refdata` run after every other one (pytest-django's order kept)."""
    needing = [item for item in items if "refdata" in getattr(item, "fixturenames", ())]
    if needing:
        others = [item for item in items if "refdata" not in getattr(item, "fixturenames", ())]
        items[:] = others + needing
