"""Loading conventions through the tenancy helpers of `accounts.access`.

Another body's convention is a 404. A référent sees only the conventions its commune
is party to (any other is a 404 too) and records only its commune's deliberation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from mutualis.accounts.access import Abilities, User, get_pooling_body_for
from mutualis.conventions.models import Convention, ConventionVersion, Party


@dataclass(frozen=True)
class ConventionRights:
    """What the user may do on one convention, computed once per request."""

    abilities: Abilities
    editable: bool  # the latest version is a draft and the user manages the body
    can_manage: bool

    def can_record(self, party: Party) -> bool:
        if party.version.status != ConventionVersion.Status.SENT:
            return False
        if self.can_manage:
            return True
        return party.member_id is not None and party.member_id in self.abilities.referent_member_ids


def visible_conventions(body_pk: int, abilities: Abilities) -> QuerySet[Convention]:
    conventions = Convention.objects.filter(pooling_body_id=body_pk)
    if abilities.is_referent_only:
        conventions = conventions.filter(
            versions__parties__member_id__in=abilities.referent_member_ids
        ).distinct()
    return conventions


def get_convention_for(
    user: User, body_pk: int, convention_pk: int
) -> tuple[Convention, ConventionVersion, ConventionRights]:
    """The convention, its latest version and the user's rights; 404 if not visible."""
    body, abilities = get_pooling_body_for(user, body_pk)
    convention = visible_conventions(body.pk, abilities).filter(pk=convention_pk).first()
    if convention is None:
        raise Http404
    convention.pooling_body = body
    version = convention.versions.order_by("-number").first()
    if version is None:
        raise Http404
    version.convention = convention
    rights = ConventionRights(
        abilities=abilities,
        editable=abilities.can_manage and version.status == ConventionVersion.Status.DRAFT,
        can_manage=abilities.can_manage,
    )
    return convention, version, rights


def get_version_for(
    user: User, body_pk: int, convention_pk: int, number: int
) -> tuple[ConventionVersion, ConventionRights]:
    """Any version (older ones stay readable and downloadable)."""
    convention, latest, rights = get_convention_for(user, body_pk, convention_pk)
    if number == latest.number:
        return latest, rights
    version = convention.versions.filter(number=number).first()
    if version is None:
        raise Http404
    version.convention = convention
    return version, rights


def get_party_for(version: ConventionVersion, rights: ConventionRights, party_pk: int) -> Party:
    """A party of the version; recording its vote is checked by `can_record` (else 403)."""
    party = version.parties.select_related("member").filter(pk=party_pk).first()
    if party is None:
        raise Http404
    party.version = version
    return party
