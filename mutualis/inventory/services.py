"""Actions on inventory campaigns; each one atomic, inputs validated before the call."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.accounts.models import Role
from mutualis.inventory import versions
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.inventory.queries import campaign_domains, campaign_members
from mutualis.locking import check_version
from mutualis.territories.models import Domain, Member, PoolingBody


class InventoryError(ValueError):
    """A domain error with a French message for the user."""


# --- campaigns ------------------------------------------------------------------------


@transaction.atomic
def open_campaign(
    body: PoolingBody,
    year: int,
    *,
    deadline: date | None = None,
    domains: Iterable[Domain] | None = None,
    is_sample: bool = False,
) -> Campaign:
    """Open the campaign of a reference year, on the given domains (default: all active)."""
    if Campaign.objects.filter(pooling_body=body, year=year).exists():
        raise InventoryError(_("Une campagne existe déjà pour l'année %(year)s.") % {"year": year})
    chosen = list(body.domains.filter(is_active=True) if domains is None else domains)
    if any(d.pooling_body_id != body.pk for d in chosen):
        raise InventoryError(_("Un domaine n'appartient pas à cette structure porteuse."))
    if not chosen:
        raise InventoryError(_("Choisissez au moins un domaine à inventorier."))
    campaign = Campaign.objects.create(
        pooling_body=body, year=year, deadline=deadline, is_sample=is_sample
    )
    campaign.domains.set(chosen)
    return campaign


@transaction.atomic
def set_campaign_status(campaign: Campaign, status: str) -> Campaign:
    campaign.status = Campaign.Status(status)
    campaign.save(update_fields=["status"])
    return campaign


@transaction.atomic
def archive_campaign(campaign: Campaign) -> Campaign:
    """Archive a campaign: its answers and import logs stay, as the audit trail."""
    if campaign.archived_at is None:
        campaign.archived_at = timezone.now()
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["archived_at", "status"])
    return campaign


@transaction.atomic
def delete_campaign(campaign: Campaign) -> None:
    """Delete an empty campaign; one with answers or imports must be archived instead."""
    if campaign.submissions.exists() or campaign.imports.exists():
        raise InventoryError(
            _(
                "La campagne %(year)s a des réponses ou des imports : elle ne peut pas être "
                "supprimée, archivez-la."
            )
            % {"year": campaign.year}
        )
    campaign.delete()


# --- one member's entry -----------------------------------------------------------------


@dataclass(frozen=True)
class StaffInput:
    category: str
    fte: Any
    cost_amount: Any


@dataclass(frozen=True)
class CostInput:
    chapter: str
    amount: Any


_ModelT = TypeVar("_ModelT", bound=models.Model)


def _ensure_editable(campaign: Campaign, submission: Submission | None, as_manager: bool) -> None:
    if not campaign.is_open:
        raise InventoryError(_("La campagne est clôturée : la saisie n'est plus possible."))
    if submission is not None and submission.is_submitted and not as_manager:
        raise InventoryError(
            _("La saisie de %(member)s a été transmise ; demandez sa réouverture pour la modifier.")
            % {"member": submission.member}
        )


def _draft_submission(campaign: Campaign, member: Member) -> Submission:
    submission, _created = Submission.objects.get_or_create(campaign=campaign, member=member)
    return submission


def _upsert(
    model: type[_ModelT], lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[_ModelT, str]:
    """Create or update one row; returns (instance, "created" | "updated" | "unchanged").

    Unchanged rows are not saved, so re-applying the same data writes no history.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return instance, "unchanged"
    for name in changed:
        setattr(instance, name, values[name])
    instance.save()
    return instance, "updated"


def _replace_lines(
    service: ServiceRecord, staff: Sequence[StaffInput], costs: Sequence[CostInput]
) -> dict[str, int]:
    """Upsert the staff and cost lines of a service; lines not given are deleted."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    for line in staff:
        _obj, outcome = _upsert(
            StaffLine,
            {"service": service, "category": line.category},
            {"fte": line.fte, "cost_amount": line.cost_amount},
        )
        counts[outcome] += 1
    for cost in costs:
        _cost, outcome = _upsert(
            CostLine, {"service": service, "chapter": cost.chapter}, {"amount": cost.amount}
        )
        counts[outcome] += 1
    for queryset in (
        service.staff_lines.exclude(category__in=[s.category for s in staff]),
        service.cost_lines.exclude(chapter__in=[c.chapter for c in costs]),
    ):
        for obj in queryset:  # one by one, so that history records each deletion
            obj.delete()
            counts["deleted"] += 1
    return counts


@transaction.atomic
def save_service_record(
    campaign: Campaign,
    member: Member,
    domain: Domain,
    *,
    values: Mapping[str, Any],
    staff: Sequence[StaffInput] = (),
    costs: Sequence[CostInput] = (),
    as_manager: bool = False,
    version: str | None = None,
) -> ServiceRecord:
    """Save one member's answer for one domain, as a draft.

    `version`: the one the form was opened on; `mutualis.locking.StaleEdit` when the record
    changed since (nothing is written).
    """
    if not campaign.domains.filter(pk=domain.pk).exists():
        raise InventoryError(_("Ce domaine ne fait pas partie de la campagne."))
    submission = Submission.objects.filter(campaign=campaign, member=member).first()
    _ensure_editable(campaign, submission, as_manager)
    saved = (
        ServiceRecord.objects.select_for_update()
        .filter(campaign=campaign, member=member, domain=domain)
        .first()
    )
    check_version(
        version,
        versions.saved_service_snapshot(saved),
        versions.service_snapshot(
            values,
            [(s.category, s.fte, s.cost_amount) for s in staff],
            [(c.chapter, c.amount) for c in costs],
        ),
    )
    service, _outcome = _upsert(
        ServiceRecord, {"campaign": campaign, "member": member, "domain": domain}, values
    )
    _replace_lines(service, staff, costs)
    if submission is None:
        _draft_submission(campaign, member)
    return service


@transaction.atomic
def save_member_rows(
    campaign: Campaign,
    member: Member,
    model: type[Asset] | type[Contract],
    *,
    changes: Sequence[tuple[Asset | Contract | None, Mapping[str, Any]]],
    deletions: Sequence[Asset | Contract] = (),
    as_manager: bool = False,
    version: str | None = None,
) -> None:
    """Create, update and delete a member's assets or contracts (from a formset).

    `version`: the one of the member's rows when the form was opened; `StaleEdit` when
    any row was added, changed or deleted since (nothing is written).
    """
    submission = Submission.objects.filter(campaign=campaign, member=member).first()
    _ensure_editable(campaign, submission, as_manager)
    saved_rows = list(
        model.objects.select_for_update().filter(campaign=campaign, member=member).order_by("pk")
    )
    fields = versions.ROW_FIELDS[model]
    yours = {row.pk: {name: getattr(row, name) for name in fields} for row in saved_rows}
    for obj in deletions:
        yours.pop(obj.pk, None)
    for instance, values in changes:
        if instance is not None and instance.pk in yours:
            yours[instance.pk] = {**yours[instance.pk], **values}
    new_rows = [(None, values) for instance, values in changes if instance is None]
    check_version(
        version,
        versions.saved_rows_snapshot(model, saved_rows),
        versions.rows_snapshot(model, [*yours.items(), *new_rows]),
    )
    for obj in deletions:
        if obj.campaign_id != campaign.pk or obj.member_id != member.pk:
            raise InventoryError(_("Cette ligne n'appartient pas à la commune."))
        obj.delete()
    for instance, values in changes:
        if instance is None:
            model.objects.create(campaign=campaign, member=member, **values)
            continue
        if instance.campaign_id != campaign.pk or instance.member_id != member.pk:
            raise InventoryError(_("Cette ligne n'appartient pas à la commune."))
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save()
    if submission is None and changes:
        _draft_submission(campaign, member)


@transaction.atomic
def submit_inventory(campaign: Campaign, member: Member, user: User | None) -> Submission:
    """Hand in a member's inventory: read-only for its référent until reopened."""
    if not campaign.is_open:
        raise InventoryError(_("La campagne est clôturée : la saisie n'est plus possible."))
    submission = (
        Submission.objects.select_for_update().filter(campaign=campaign, member=member).first()
    )
    if submission is not None and submission.is_submitted:
        raise InventoryError(_("Cette saisie a déjà été transmise."))
    if not ServiceRecord.objects.filter(campaign=campaign, member=member).exists():
        raise InventoryError(_("Renseignez au moins un domaine avant de transmettre."))
    if submission is None:
        submission = Submission(campaign=campaign, member=member)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = user if user is not None and user.is_authenticated else None
    submission.save()
    return submission


@transaction.atomic
def reopen_submission(campaign: Campaign, member: Member, user: User | None = None) -> Submission:
    """Give a transmitted entry back to its commune; records who reopened it and when."""
    submission = (
        Submission.objects.select_for_update().filter(campaign=campaign, member=member).first()
    )
    if submission is None or not submission.is_submitted:
        raise InventoryError(_("Seule une saisie transmise peut être rouverte."))
    submission.status = Submission.Status.REOPENED
    submission.reopened_at = timezone.now()
    submission.reopened_by = user if user is not None and user.is_authenticated else None
    submission.save(update_fields=["status", "reopened_at", "reopened_by", "updated_at"])
    return submission


# --- completion and reminders -----------------------------------------------------------


@dataclass(frozen=True)
class MemberCompletion:
    member: Member
    status: str  # "not_started" or a Submission.Status
    status_label: str
    submitted_at: Any
    domain_done: tuple[bool, ...]

    @property
    def done_count(self) -> int:
        return sum(self.domain_done)


@dataclass(frozen=True)
class Completion:
    domains: tuple[Domain, ...]
    rows: tuple[MemberCompletion, ...]
    per_domain: tuple[int, ...]
    per_status: dict[str, int] = field(default_factory=dict)


NOT_STARTED = "not_started"


def completion(campaign: Campaign, members: QuerySet[Member] | None = None) -> Completion:
    """Completion matrix: members × domains. A fixed number of queries (four)."""
    domains = tuple(campaign_domains(campaign))
    member_list = list(campaign_members(campaign) if members is None else members)
    answered = set(
        ServiceRecord.objects.filter(campaign=campaign).values_list("member_id", "domain_id")
    )
    submissions = {s.member_id: s for s in Submission.objects.filter(campaign=campaign)}
    labels = dict(Submission.Status.choices)
    rows = []
    per_status: dict[str, int] = {}
    for member in member_list:
        submission = submissions.get(member.pk)
        status = submission.status if submission else NOT_STARTED
        per_status[status] = per_status.get(status, 0) + 1
        rows.append(
            MemberCompletion(
                member=member,
                status=status,
                status_label=str(labels.get(status, _("Non commencée"))),
                submitted_at=submission.submitted_at if submission else None,
                domain_done=tuple((member.pk, d.pk) in answered for d in domains),
            )
        )
    per_domain = tuple(sum(row.domain_done[i] for row in rows) for i in range(len(domains)))
    return Completion(domains, tuple(rows), per_domain, per_status)


@dataclass(frozen=True)
class ReminderResult:
    sent_to: tuple[str, ...]
    members_without_referent: tuple[Member, ...]


def send_reminders(
    campaign: Campaign, *, link_for: Callable[[Member], str] | None = None
) -> ReminderResult:
    """E-mail the référents of every member that has not submitted yet."""
    submitted = set(
        Submission.objects.filter(
            campaign=campaign, status=Submission.Status.SUBMITTED
        ).values_list("member_id", flat=True)
    )
    pending = [m for m in campaign_members(campaign) if m.pk not in submitted]
    roles = Role.objects.filter(
        pooling_body_id=campaign.pooling_body_id,
        name=Role.Name.REFERENT,
        member__in=pending,
    ).select_related("user")
    emails: dict[int | None, list[str]] = {}
    for role in roles:
        if role.user.email:
            emails.setdefault(role.member_id, []).append(role.user.email)
    body_name = campaign.pooling_body.name
    sent: list[str] = []
    for member in pending:
        recipients = sorted(set(emails.get(member.pk, [])))
        if not recipients:
            continue
        lines = [
            _("Bonjour,"),
            "",
            _(
                "%(body)s recense les services, agents, équipements et contrats de ses "
                "membres (état des lieux %(year)s). La réponse de %(member)s n'a pas encore "
                "été transmise."
            )
            % {"body": body_name, "year": campaign.year, "member": member.name},
        ]
        if campaign.deadline:
            lines.append(
                _("Date limite de réponse : %(date)s.")
                % {"date": campaign.deadline.strftime("%d/%m/%Y")}
            )
        if link_for is not None:
            lines += ["", _("Pour compléter la saisie : %(url)s") % {"url": link_for(member)}]
        lines += ["", _("Merci de votre participation."), body_name]
        send_mail(
            _("État des lieux %(year)s : réponse attendue de %(member)s")
            % {"year": campaign.year, "member": member.name},
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        sent.extend(recipients)
    without = tuple(m for m in pending if not emails.get(m.pk))
    return ReminderResult(tuple(sent), without)
