"""Loading campaigns and their members through the tenancy helpers of `accounts.access`.

Another body's campaign is a 404, like any other tenant object; a member outside the
campaign's body is a 404 too; editing another commune is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from mutualis.accounts.access import Abilities, User, abilities_for
from mutualis.inventory.models import Campaign, ImportLog, PendingImport, Submission
from mutualis.territories.models import Member

T = TypeVar("T")


def get_campaign_for(user: User, body_pk: int, campaign_pk: int) -> tuple[Campaign, Abilities]:
    """A campaign of a pooling body the user can see, and the user's abilities; or 404.

    The same refusals as `get_pooling_body_for` then a campaign of that body (a missing
    body, a campaign of another body and a body without a role of the user are all 404),
    with the body loaded in the campaign's query: one query less on every campaign page.
    """
    campaign = (
        Campaign.objects.select_related("pooling_body")
        .filter(pk=campaign_pk, pooling_body_id=body_pk)
        .first()
    )
    if campaign is None:
        raise Http404
    abilities = abilities_for(user, campaign.pooling_body)
    if not abilities.can_view:
        raise Http404
    return campaign, abilities


@dataclass(frozen=True)
class CampaignRights:
    """What one user may do with one campaign, computed once per request.

    The rule, written once: a user reads (and exports) every member when they hold any
    role other than référent in the body (admin, finance, viewer); a référent alone reads
    their own communes in full and the territory's totals, and the other communes' detail
    (costs, contracts, assets) only when the body turned on « transparence entre
    communes ». A user imports (and edits) every member when they administer the
    body; a référent imports their own communes; finance and viewers import nothing. So a
    user both finance and référent exports the whole body and imports their commune only.
    """

    abilities: Abilities
    read_scope: frozenset[int] | None  # None: every member of the body
    import_scope: frozenset[int] | None  # None: every member; empty: nothing

    @property
    def can_export(self) -> bool:
        return self.abilities.can_view

    @property
    def can_import(self) -> bool:
        return self.import_scope is None or bool(self.import_scope)

    @property
    def is_scoped(self) -> bool:
        """True when the user reads only some members (the templates' one flag)."""
        return self.read_scope is not None

    def can_read(self, member: Member) -> bool:
        return self.can_read_id(member.pk)

    def can_read_id(self, member_id: int) -> bool:
        return self.read_scope is None or member_id in self.read_scope

    def visible(self, items: Iterable[T]) -> tuple[T, ...]:
        """The diagnostic lines (anything with a `member.id`) the user may read in detail."""
        return tuple(item for item in items if self.can_read_id(item.member.id))  # type: ignore[attr-defined]


def campaign_rights(abilities: Abilities, *, transparency: bool = False) -> CampaignRights:
    """`transparency`: the body's « transparence entre communes » (référents read all)."""
    scoped = abilities.is_referent_only and not transparency
    return CampaignRights(
        abilities=abilities,
        read_scope=abilities.referent_member_ids if scoped else None,
        import_scope=None if abilities.can_manage else abilities.referent_member_ids,
    )


def rights_for(campaign: Campaign, abilities: Abilities) -> CampaignRights:
    return campaign_rights(abilities, transparency=campaign.pooling_body.communes_transparency)


def get_campaign_rights_for(
    user: User, body_pk: int, campaign_pk: int
) -> tuple[Campaign, CampaignRights]:
    """A campaign the user can see and the user's rights on it; or 404."""
    campaign, abilities = get_campaign_for(user, body_pk, campaign_pk)
    return campaign, rights_for(campaign, abilities)


def get_campaign_member_for(
    user: User, body_pk: int, campaign_pk: int, member_pk: int, *, edit: bool = False
) -> tuple[Campaign, Member, Abilities]:
    """A member of the campaign's body; 404 elsewhere, 403 when `edit` is refused."""
    campaign, abilities = get_campaign_for(user, body_pk, campaign_pk)
    member = Member.objects.filter(pk=member_pk, pooling_body_id=campaign.pooling_body_id).first()
    if member is None:
        raise Http404
    if edit and not abilities.can_edit_member(member):
        raise PermissionDenied
    if not rights_for(campaign, abilities).can_read(member):
        raise PermissionDenied
    return campaign, member, abilities


@dataclass(frozen=True)
class EntryRights:
    """What the user may do on one member's entry, computed once per page."""

    can_edit: bool
    can_submit: bool
    can_reopen: bool


def entry_rights(
    abilities: Abilities, campaign: Campaign, member: Member, submission: Submission | None
) -> EntryRights:
    """A submitted entry is read-only for the référent until the coordinator reopens it."""
    may_edit_member = abilities.can_edit_member(member) and campaign.is_open
    submitted = submission is not None and submission.is_submitted
    return EntryRights(
        can_edit=may_edit_member and (not submitted or abilities.can_manage),
        can_submit=may_edit_member and not submitted,
        can_reopen=abilities.can_manage and campaign.is_open and submitted,
    )


def get_pending_import_for(
    user: User, body_pk: int, campaign_pk: int, token: str
) -> tuple[Campaign, CampaignRights, PendingImport]:
    """A workbook this user uploaded into this campaign and has not confirmed; 404 for
    anyone else's, or once expired."""
    campaign, rights = get_campaign_rights_for(user, body_pk, campaign_pk)
    if not rights.can_import:
        raise PermissionDenied
    pending = PendingImport.objects.filter(
        token=token, campaign=campaign, user_id=user.pk or 0, expires_at__gt=timezone.now()
    ).first()
    if pending is None:
        raise Http404
    pending.campaign = campaign
    return campaign, rights, pending


def can_see_import(rights: CampaignRights, member_ids: set[int]) -> bool:
    """The import log of a user who imports: every entry for the coordination, a
    référent's own communes' entries only."""
    if not rights.can_import:
        return False
    return rights.import_scope is None or member_ids <= rights.import_scope


def get_import_log_for(
    user: User, body_pk: int, campaign_pk: int, log_pk: int
) -> tuple[Campaign, CampaignRights, ImportLog]:
    """An import of this campaign the user may read (and undo); 404 elsewhere, 403 when
    it touched communes outside the user's."""
    campaign, rights = get_campaign_rights_for(user, body_pk, campaign_pk)
    log = ImportLog.objects.filter(pk=log_pk, campaign=campaign).select_related("user").first()
    if log is None:
        raise Http404
    if not can_see_import(rights, set(log.members.values_list("pk", flat=True))):
        raise PermissionDenied
    log.campaign = campaign
    return campaign, rights, log
