"""Actions on pooling bodies and their members; each one atomic, inputs validated before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from simple_history.utils import bulk_create_with_history

from mutualis.locking import check_version, instance_values, snapshot_of, version_of
from mutualis.refdata import services as refdata
from mutualis.territories.domains import DEFAULT_DOMAINS
from mutualis.territories.models import Domain, Member, MemberAttribute, Membership, PoolingBody

# Refdata gives the members at the vintage, not their historic joining dates.
COG_MEMBERSHIP_START = date(2026, 1, 1)


class TerritoryError(ValueError):
    """A domain error with a French message for the user."""


@transaction.atomic
def create_pooling_body_from_epci(
    siren: str,
    *,
    joined_on: date = COG_MEMBERSHIP_START,
) -> PoolingBody:
    """Create the pooling body of an EPCI with its member communes from the reference data.

    Roles belong to `accounts`: `accounts.services.create_pooling_body_from_epci` also makes
    its creator the body's administrator.
    """
    epci = refdata.get_epci(siren.strip())
    if PoolingBody.objects.filter(siren=epci.siren).exists():
        raise TerritoryError(f"Une structure porteuse existe déjà pour le SIREN {epci.siren}.")
    pooling_body = PoolingBody.objects.create(
        name=epci.name, kind=PoolingBody.Kind.EPCI, siren=epci.siren, source_epci=epci
    )
    communes = refdata.epci_members(epci.siren)
    year = COG_MEMBERSHIP_START.year
    members = bulk_create_with_history(
        [
            Member(
                pooling_body=pooling_body,
                kind=Member.Kind.COMMUNE,
                name=commune.name,
                insee_code=commune.insee_code,
                siren=commune.siren or "",
                # DGCL figures sum exactly to the EPCI's population; INSEE's may not.
                population_municipale=(
                    commune.population_municipale_dgcl or commune.population_municipale
                ),
                population_totale=commune.population_totale,
                population_year=year,
            )
            for commune in communes
        ],
        Member,
    )
    bulk_create_with_history(
        [
            Membership(
                member=member,
                joined_on=joined_on,
                note=f"Membre de l'EPCI au référentiel COG {year}",
            )
            for member in members
        ],
        Membership,
    )
    seed_default_domains(pooling_body)
    return pooling_body


def seed_default_domains(pooling_body: PoolingBody) -> None:
    Domain.objects.bulk_create(
        [
            Domain(
                pooling_body=pooling_body,
                code=d.code,
                name=d.name,
                family=d.family,
                description=d.description,
                position=position,
            )
            for position, d in enumerate(DEFAULT_DOMAINS)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def add_membership(
    member: Member, joined_on: date, left_on: date | None, note: str = ""
) -> Membership:
    if left_on is not None and left_on < joined_on:
        raise TerritoryError("La date de retrait précède la date d'adhésion.")
    far = date.max
    for other in member.memberships.select_for_update():
        if joined_on <= (other.left_on or far) and other.joined_on <= (left_on or far):
            raise TerritoryError(
                f"Cette période chevauche l'adhésion du {other.joined_on:%d/%m/%Y}."
            )
    return Membership.objects.create(member=member, joined_on=joined_on, left_on=left_on, note=note)


@transaction.atomic
def set_attribute(
    member: Member,
    *,
    key: str,
    label: str,
    value: Decimal,
    year: int,
    source: str,
    unit: str = "",
) -> MemberAttribute:
    attribute, _ = MemberAttribute.objects.update_or_create(
        member=member,
        key=key,
        year=year,
        defaults={"label": label, "value": value, "source": source, "unit": unit},
    )
    return attribute


# --- optimistic locking of the edit forms (mutualis.locking) ------------------------------


def _record_labels(form: ModelForm[Any]) -> dict[str, str]:
    """Every stored field of the record, so that the version does not depend on the form
    (an administrator's form has more fields than a référent's)."""
    return {
        f.attname: str(f.verbose_name)
        for f in type(form.instance)._meta.concrete_fields
        if not f.primary_key
    }


def _saved(form: ModelForm[Any], *, lock: bool = False) -> Model | None:
    if form.instance.pk is None:
        return None
    manager = type(form.instance)._default_manager
    found = (manager.select_for_update() if lock else manager).filter(pk=form.instance.pk).first()
    return cast(Model | None, found)


def saved_version(form: ModelForm[Any]) -> str:
    """The version of the record as saved now (the form's instance may hold unsaved input)."""
    labels = _record_labels(form)
    return version_of(snapshot_of(instance_values(_saved(form), labels), labels))


@transaction.atomic
def save_versioned(form: ModelForm[Any], version: str | None) -> Model:
    """Save a valid model form unless its record changed since `version` (`StaleEdit`)."""
    if form.instance.pk is not None:
        labels = _record_labels(form)
        saved = instance_values(_saved(form, lock=True), labels)
        yours = {
            **saved,
            **{name: form.cleaned_data[name] for name in form.fields if name in labels},
        }
        check_version(version, snapshot_of(saved, labels), snapshot_of(yours, labels))
    return cast(Model, form.save())
