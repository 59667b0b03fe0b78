"""factory_boy factories for the Django models; tests build data only through these."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth import get_user_model

from mutualis.accounts.models import Role
from mutualis.refdata.models import Commune, Epci
from mutualis.territories.models import Domain, Member, MemberAttribute, Membership, PoolingBody


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("motdepasse-test")


class PoolingBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolingBody

    name = factory.Sequence(lambda n: f"Communauté de communes n° {n}")
    kind = PoolingBody.Kind.EPCI
    siren = factory.Sequence(lambda n: f"2{n:08d}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    pooling_body = factory.SubFactory(PoolingBodyFactory)
    name = factory.Sequence(lambda n: f"Commune {n}")
    insee_code = factory.Sequence(lambda n: f"{10000 + n:05d}")
    population_municipale = 500
    population_totale = 510


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    joined_on = date(2024, 1, 1)


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberAttribute

    member = factory.SubFactory(MemberFactory)
    key = "km_voirie"
    label = "Voirie communale"
    value = 12
    unit = "km"
    source = "Service voirie"
    year = 2025


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    pooling_body = factory.SubFactory(PoolingBodyFactory)
    code = factory.Sequence(lambda n: f"domaine-{n}")
    name = factory.Sequence(lambda n: f"Domaine {n}")
    family = Domain.Family.FUNCTIONAL


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    pooling_body = factory.SubFactory(PoolingBodyFactory)
    name = Role.Name.ADMIN


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci

    siren = factory.Sequence(lambda n: f"24{n:07d}")
    name = factory.Sequence(lambda n: f"CC de test {n}")
    name_search = factory.LazyAttribute(lambda o: o.name.lower())
    kind = "CC"
    fiscal_regime = "FPU"
    population_municipale = 1000
    population_totale = 1020


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"{50000 + n:05d}")
    siren = factory.Sequence(lambda n: f"21{n:07d}")
    name = factory.Sequence(lambda n: f"Village {n}")
    departement = "21"
    region = "27"
    population_municipale = 250
    population_totale = 255
    epci = factory.SubFactory(EpciFactory)
