"""The one door to tenant data: every view loads objects through these helpers.

A user sees a pooling body only through a role in it (or as platform administrator);
anything else is a 404, so that other bodies' existence does not leak. Rights are
computed once per pooling body and carried by `Abilities`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mutualis.accounts.models import Role
from mutualis.territories.models import Member, PoolingBody

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Abilities:
    roles: frozenset[str]
    referent_member_ids: frozenset[int]
    platform_admin: bool = False

    @property
    def can_view(self) -> bool:
        return self.platform_admin or bool(self.roles)

    @property
    def can_manage(self) -> bool:
        """Edit the pooling body, its members, memberships, domains and roles."""
        return self.platform_admin or Role.Name.ADMIN in self.roles

    @property
    def can_finance(self) -> bool:
        return self.can_manage or Role.Name.FINANCE in self.roles

    @property
    def is_referent_only(self) -> bool:
        return self.roles == {Role.Name.REFERENT} and not self.platform_admin

    def can_edit_member(self, member: Member) -> bool:
        return self.can_manage or member.pk in self.referent_member_ids


def is_platform_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def pooling_bodies_for(user: User) -> QuerySet[PoolingBody]:
    if not user.is_authenticated:
        return PoolingBody.objects.none()
    if is_platform_admin(user):
        return PoolingBody.objects.all()
    return PoolingBody.objects.filter(roles__user=user).distinct()


def abilities_for(user: User, pooling_body: PoolingBody) -> Abilities:
    if not user.is_authenticated:
        return Abilities(frozenset(), frozenset())
    rows = list(
        Role.objects.filter(user=user, pooling_body=pooling_body).values_list("name", "member_id")
    )
    return Abilities(
        roles=frozenset(name for name, _ in rows),
        referent_member_ids=frozenset(m for _, m in rows if m is not None),
        platform_admin=is_platform_admin(user),
    )


def get_pooling_body_for(user: User, pk: int) -> tuple[PoolingBody, Abilities]:
    """The pooling body and the user's abilities in it, or 404."""
    pooling_body = PoolingBody.objects.filter(pk=pk).first()
    if pooling_body is None:
        raise Http404
    abilities = abilities_for(user, pooling_body)
    if not abilities.can_view:
        raise Http404
    return pooling_body, abilities


def get_member_for(
    user: User, pooling_body_pk: int, member_pk: int, *, edit: bool = False
) -> tuple[Member, Abilities]:
    """A member of a pooling body the user can see; 404 elsewhere, 403 if `edit` is refused."""
    pooling_body, abilities = get_pooling_body_for(user, pooling_body_pk)
    member = (
        Member.objects.filter(pk=member_pk, pooling_body=pooling_body)
        .select_related("pooling_body")
        .first()
    )
    if member is None:
        raise Http404
    if edit and not abilities.can_edit_member(member):
        raise PermissionDenied
    return member, abilities


def require_manage(abilities: Abilities) -> None:
    if not abilities.can_manage:
        raise PermissionDenied
