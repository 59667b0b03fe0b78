from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mutualis.accounts.models import Role
from mutualis.territories import services as territories
from mutualis.territories.models import Member, PoolingBody


class RoleError(ValueError):
    """A role that cannot be granted, with a French message."""


@transaction.atomic
def revoke_role(role: Role, *, by: AbstractBaseUser) -> None:
    """Remove a role; the last administrator of a body cannot remove their own role."""
    if role.name == Role.Name.ADMIN:
        admins = Role.objects.select_for_update().filter(
            pooling_body=role.pooling_body, name=Role.Name.ADMIN
        )
        if admins.count() == 1 and role.user_id == by.pk:
            raise RoleError(
                "Vous êtes le dernier administrateur de cette structure : "
                "désignez-en un autre avant de retirer votre rôle."
            )
    role.delete()


@transaction.atomic
def grant_role(
    user: AbstractBaseUser, pooling_body: PoolingBody, name: str, member: Member | None = None
) -> Role:
    if (name == Role.Name.REFERENT) != (member is not None):
        raise RoleError("Un rôle de référent·e désigne une commune, et lui seul.")
    if member is not None and member.pooling_body_id != pooling_body.pk:
        raise RoleError("Cette commune n'est pas membre de la structure porteuse.")
    role, _ = Role.objects.get_or_create(
        user=user, pooling_body=pooling_body, name=name, member=member
    )
    return role


@transaction.atomic
def create_pooling_body_from_epci(
    siren: str, *, created_by: AbstractBaseUser | None = None
) -> PoolingBody:
    """The EPCI's pooling body with its communes; its creator becomes its administrator."""
    pooling_body = territories.create_pooling_body_from_epci(siren)
    if created_by is not None:
        grant_role(created_by, pooling_body, Role.Name.ADMIN)
    return pooling_body
