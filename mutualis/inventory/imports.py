"""Importing a filled-in workbook: preview, confirmation, log, undo (docs/inventory.md).

Nothing is written until the user confirms a preview. The uploaded file waits in a
`PendingImport` keyed by a token of one user and one campaign, and expires; confirming
reads it again and applies the plan only if it is still the one that was shown. Each
applied import is logged row by row with the old values, so that the last import of a
campaign can be undone while nothing it touched has changed since.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.inventory.models import (
    Campaign,
    ImportLog,
    PendingImport,
    ServiceRecord,
    Submission,
)
from mutualis.inventory.services import InventoryError
from mutualis.inventory.workbook import ParsedWorkbook, parse_workbook
from mutualis.inventory.workbook.columns import ASSETS, CONTRACTS, COSTS, SERVICES, STAFF
from mutualis.inventory.workbook.current import MODELS, load_current
from mutualis.inventory.workbook.plan import (
    CREATE,
    DELETE,
    Plan,
    RowChange,
    build_plan,
    sort_for_apply,
)
from mutualis.inventory.workbook.stamp import canonical, row_version
from mutualis.sheets import Problem, ProblemGroup, group_problems

DEFAULT_PREVIEW_MINUTES = 60


class ImportRejected(InventoryError):
    """The workbook has problems; nothing was stored."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(_("%(count)s erreur(s) dans le classeur.") % {"count": len(self.problems)})

    @property
    def groups(self) -> list[ProblemGroup]:
        return group_problems(self.problems)


def _user(user: AbstractBaseUser | None) -> Any:
    return user if user is not None and user.is_authenticated else None


def _closed() -> ImportRejected:
    return ImportRejected(
        [Problem("", None, None, _("La campagne est clôturée : l'import est impossible."))]
    )


# --- preview ----------------------------------------------------------------------------


def preview_import(
    campaign: Campaign,
    data: bytes,
    *,
    file_name: str,
    member_ids: frozenset[int] | None = None,
    overwrite: bool = False,
) -> Plan:
    """What the file would change; writes nothing. Raises ImportRejected with every problem.

    `member_ids` limits the rows read to a référent's communes (None: every member).
    """
    return _plan(campaign, _parse(campaign, data, file_name, member_ids), overwrite)


def _parse(
    campaign: Campaign, data: bytes, file_name: str, member_ids: frozenset[int] | None
) -> ParsedWorkbook:
    """The file's rows, or ImportRejected with every problem.

    Reading the workbook is the long part of an import, and it needs no transaction: the
    callers run it before opening theirs. On SQLite a transaction holds the database's
    one write lock from its start (`transaction_mode` IMMEDIATE), so a workbook read inside
    it would keep every other writer waiting.
    """
    if not campaign.is_open:
        raise _closed()
    parsed = parse_workbook(campaign, data, file_name=file_name, member_ids=member_ids)
    if parsed.problems:
        raise ImportRejected(parsed.problems)
    return parsed


def _plan(campaign: Campaign, parsed: ParsedWorkbook, overwrite: bool) -> Plan:
    """What the parsed rows would change against the data stored now."""
    assert parsed.stamp is not None  # noqa: S101 - a parse without problems has its stamp
    covered = parsed.covered_member_ids
    current, _members, codes = load_current(campaign, covered)
    submitted = set(
        Submission.objects.filter(
            campaign=campaign, member_id__in=covered, status=Submission.Status.SUBMITTED
        ).values_list("member_id", flat=True)
    )
    return build_plan(
        rows=parsed.rows,
        current=current,
        exported=parsed.stamp.versions,
        covered=covered,
        submitted=submitted,
        domain_codes=codes,
        overwrite=overwrite,
        skipped=tuple(group_problems(parsed.skipped)),
    )


def preview_minutes() -> int:
    return int(getattr(settings, "INVENTORY_IMPORT_PREVIEW_MINUTES", DEFAULT_PREVIEW_MINUTES))


def _keep(
    campaign: Campaign, data: bytes, file_name: str, user: Any, checked: bool
) -> PendingImport:
    now = timezone.now()
    PendingImport.objects.filter(expires_at__lte=now).delete()
    return PendingImport.objects.create(
        token=secrets.token_urlsafe(32),
        campaign=campaign,
        user=user,
        file_name=file_name[:255],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        expires_at=now + timedelta(minutes=preview_minutes()),
        checked=checked,
    )


def stage_import(
    campaign: Campaign,
    data: bytes,
    *,
    file_name: str,
    user: Any,
    member_ids: frozenset[int] | None = None,
) -> PendingImport:
    """Check the file and keep it for its preview; expired files of any user are dropped.

    The check writes nothing and runs before the transaction (see `_parse`); the
    confirmation checks the plan again against the data of its own time.
    """
    preview_import(campaign, data, file_name=file_name, member_ids=member_ids)
    with transaction.atomic():
        return _keep(campaign, data, file_name, user, checked=True)


@transaction.atomic
def stage_unchecked(campaign: Campaign, data: bytes, *, file_name: str, user: Any) -> PendingImport:
    """Keep a large file, unchecked, for `check_staged` to check in the background.

    Its preview page stays closed until the check has passed (`checked`)."""
    if not campaign.is_open:
        raise _closed()
    return _keep(campaign, data, file_name, user, checked=False)


def check_staged(
    pending: PendingImport, member_ids: frozenset[int] | None, names: Mapping[int, str]
) -> Plan:
    """Check a staged file and store its preview (what the preview page shows); writes no
    inventory data. Raises ImportRejected with every problem, the file staying unchecked.

    The check runs before the transaction that stores its result (see `_parse`)."""
    plan = preview_import(
        pending.campaign, bytes(pending.data), file_name=pending.file_name, member_ids=member_ids
    )
    pending.checked = True
    pending.preview = preview_data(plan, names)
    with transaction.atomic():
        pending.save(update_fields=["checked", "preview"])
    return plan


def preview_data(plan: Plan, names: Mapping[int, str]) -> dict[str, Any]:
    """The preview page's content as plain JSON values: computed in the request for a
    small file, stored by the background check for a large one."""
    return {
        "digest": plan.digest,
        "count_create": plan.count_create,
        "count_update": plan.count_update,
        "count_delete": plan.count_delete,
        "conflict_count": len(plan.conflicts),
        "refused_count": len(plan.refused),
        "is_empty": plan.is_empty,
        "skipped": [str(group) for group in plan.skipped],
        "sections": [
            {
                "member": section.member,
                "sheet": section.sheet,
                "changes": [
                    {
                        "action": change.action,
                        "action_label": str(change.action_label),
                        "status": change.status,
                        "status_label": str(change.status_label),
                        "reason": str(change.reason),
                        "row": change.row,
                        "label": change.label,
                        "fields": [
                            {"label": f.label, "old": f.old, "new": f.new} for f in change.fields
                        ],
                    }
                    for change in section.changes
                ],
            }
            for section in plan.sections(names)
        ],
    }


@transaction.atomic
def discard_import(pending: PendingImport) -> None:
    pending.delete()


# --- applying ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    log: ImportLog | None  # None when the file changes nothing


def _stored(value: object) -> Any:
    """A value as the log keeps it (JSON): its canonical spelling, None for empty."""
    text = canonical(value)
    return text if text != "" else None


def _restored(model: type[Model], name: str, value: Any) -> Any:
    field: Any = model._meta.get_field(name)
    if value is None:
        return None if field.null else ""
    if field.get_internal_type() == "BooleanField":
        return value == "1"
    return field.to_python(value)


LINKS = {
    SERVICES.name: ("campaign_id", "member_id", "domain_id"),
    STAFF.name: ("service_id",),
    COSTS.name: ("service_id",),
    ASSETS.name: ("campaign_id", "member_id"),
    CONTRACTS.name: ("campaign_id", "member_id"),
}


def _apply(campaign: Campaign, change: RowChange) -> dict[str, Any]:
    """Write one change; returns its log entry."""
    model = MODELS[change.sheet]
    if change.action == CREATE:
        links: dict[str, Any] = {"campaign_id": campaign.pk, "member_id": change.member_id}
        if change.sheet == SERVICES.name:
            links["domain_id"] = change.domain_id
        elif change.sheet in (STAFF.name, COSTS.name):
            if change.domain_id is None:
                raise ValueError("staff and cost rows always belong to a domain's service")
            service = ServiceRecord.objects.get(
                campaign=campaign, member_id=change.member_id, domain_id=change.domain_id
            )
            links = {"service_id": service.pk}
        obj = model._default_manager.create(**links, **change.new)
    else:
        obj = model._default_manager.get(pk=change.pk)
        links = {name: getattr(obj, name) for name in LINKS[change.sheet]}
        if change.action == DELETE:
            obj.delete()  # one by one, so that history records each deletion
        else:
            for field in change.fields:
                setattr(obj, field.name, change.new[field.name])
            obj.save()
    return {
        "sheet": change.sheet,
        "key": change.key,
        "member_id": change.member_id,
        "action": change.action,
        "pk": obj.pk if change.action == CREATE else change.pk,
        "links": links,
        "fields": [f.name for f in change.fields],
        "old": {k: _stored(v) for k, v in change.old.items()},
        "new": {k: _stored(v) for k, v in change.new.items()},
    }


def apply_import(
    campaign: Campaign,
    data: bytes,
    *,
    file_name: str,
    user: AbstractBaseUser | None = None,
    member_ids: frozenset[int] | None = None,
    overwrite: bool = False,
    allow_delete: bool = True,
    expected_digest: str | None = None,
) -> ImportResult:
    """Apply what the preview showed, all or nothing (see the module doc).

    Conflicts stay untouched unless `overwrite`; rows of transmitted submissions are
    refused. `allow_delete=False` refuses a file that deletes rows; `expected_digest`
    refuses a plan that is no longer the one shown. A file that changes nothing writes
    nothing, not even a log entry or a draft status.

    The file is read before the transaction opens (`_parse`); the plan is computed inside
    it, against the data it writes over.
    """
    parsed = _parse(campaign, data, file_name, member_ids)
    with transaction.atomic():
        return _apply_parsed(
            campaign,
            parsed,
            data,
            file_name=file_name,
            user=user,
            overwrite=overwrite,
            allow_delete=allow_delete,
            expected_digest=expected_digest,
        )


def _apply_parsed(
    campaign: Campaign,
    parsed: ParsedWorkbook,
    data: bytes,
    *,
    file_name: str,
    user: AbstractBaseUser | None,
    overwrite: bool,
    allow_delete: bool,
    expected_digest: str | None,
) -> ImportResult:
    """`apply_import` once the file is read; runs inside the caller's transaction."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise _closed()
    plan = _plan(campaign, parsed, overwrite)
    if expected_digest is not None and expected_digest != plan.digest:
        raise ImportRejected(
            [
                Problem(
                    "",
                    None,
                    None,
                    _(
                        "Les données ont changé depuis l'aperçu : vérifiez le nouvel aperçu "
                        "avant de confirmer."
                    ),
                )
            ]
        )
    deletions = plan.count(DELETE)
    if deletions and not allow_delete:
        raise ImportRejected(
            [
                Problem(
                    "",
                    None,
                    None,
                    _(
                        "Ce classeur supprimerait %(count)s ligne(s) : relancez avec "
                        "--allow-delete pour les supprimer, ou --dry-run pour les voir."
                    )
                    % {"count": deletions},
                )
            ]
        )
    if plan.is_empty:
        return ImportResult(plan, None)
    entries = [_apply(campaign, change) for change in sort_for_apply(plan.applied)]
    touched = {change.member_id for change in plan.applied}
    existing = set(
        Submission.objects.filter(campaign=campaign, member_id__in=touched).values_list(
            "member_id", flat=True
        )
    )
    created = sorted(touched - existing)
    for member_id in created:  # one by one, so that history records each
        Submission.objects.create(campaign=campaign, member_id=member_id)
    log = ImportLog.objects.create(
        campaign=campaign,
        user=_user(user),
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        row_counts=_row_counts(plan),
        created_count=plan.count(CREATE),
        updated_count=plan.count("update"),
        deleted_count=deletions,
        conflict_count=len(plan.conflicts),
        refused_count=len(plan.refused),
        overwrite=overwrite,
        changes=entries,
        created_submission_member_ids=created,
    )
    log.members.set(sorted(touched))
    return ImportResult(plan, log)


def _row_counts(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in plan.applied:
        counts[change.sheet] = counts.get(change.sheet, 0) + 1
    return counts


def confirm_import(
    pending: PendingImport,
    *,
    user: Any,
    member_ids: frozenset[int] | None,
    overwrite: bool,
    expected_digest: str,
) -> ImportResult:
    """Apply a previewed file, then forget it (both in one transaction, the file read
    before it: see `_parse`)."""
    data = bytes(pending.data)
    parsed = _parse(pending.campaign, data, pending.file_name, member_ids)
    with transaction.atomic():
        result = _apply_parsed(
            pending.campaign,
            parsed,
            data,
            file_name=pending.file_name,
            user=user,
            overwrite=overwrite,
            allow_delete=True,
            expected_digest=expected_digest,
        )
        pending.delete()
    return result


# --- undo -------------------------------------------------------------------------------


def undo_problem(log: ImportLog) -> str | None:
    """Why the import of `log` cannot be undone now (French), or None when it can."""
    if log.is_undone:
        return _("Cet import a déjà été annulé.")
    if not log.campaign.is_open:
        return _("La campagne est clôturée : l'import ne peut plus être annulé.")
    latest = (
        ImportLog.objects.filter(campaign_id=log.campaign_id, undone_at__isnull=True)
        .order_by("-at", "-pk")
        .first()
    )
    if latest is None or latest.pk != log.pk:
        return _("Seul le dernier import de la campagne peut être annulé.")
    entries: list[Mapping[str, Any]] = log.changes
    members = {int(e["member_id"]) for e in entries}
    submitted = (
        Submission.objects.filter(
            campaign_id=log.campaign_id, member_id__in=members, status=Submission.Status.SUBMITTED
        )
        .select_related("member")
        .first()
    )
    if submitted is not None:
        return _(
            "La saisie de %(member)s a été transmise depuis l'import : demandez sa "
            "réouverture avant d'annuler."
        ) % {"member": submitted.member}
    current, _members, _codes = load_current(log.campaign, members)
    for entry in entries:
        row = current[entry["sheet"]].get(entry["key"])
        if entry["action"] == DELETE:
            intact = row is None
        else:
            intact = (
                row is not None
                and row.pk == entry["pk"]
                and row.version == row_version(entry["new"])
            )
        if not intact:
            return _(
                "La ligne « %(key)s » (feuille %(sheet)s) a changé depuis l'import : "
                "l'annuler effacerait ce changement."
            ) % {"key": entry["key"], "sheet": entry["sheet"]}
    return None


@transaction.atomic
def undo_import(log: ImportLog, user: Any) -> ImportLog:
    """Put back what the import of `log` changed, if nothing changed since."""
    log = ImportLog.objects.select_for_update().select_related("campaign").get(pk=log.pk)
    problem = undo_problem(log)
    if problem is not None:
        raise InventoryError(problem)
    for entry in reversed(log.changes):
        model = MODELS[entry["sheet"]]
        if entry["action"] == CREATE:
            model._default_manager.get(pk=entry["pk"]).delete()
        elif entry["action"] == DELETE:
            values = {k: _restored(model, k, v) for k, v in entry["old"].items()}
            model._default_manager.create(pk=entry["pk"], **entry["links"], **values)
        else:
            obj = model._default_manager.get(pk=entry["pk"])
            for name in entry["fields"]:
                setattr(obj, name, _restored(model, name, entry["old"].get(name)))
            obj.save()
    Submission.objects.filter(
        campaign_id=log.campaign_id,
        member_id__in=log.created_submission_member_ids,
        status=Submission.Status.DRAFT,
    ).delete()
    log.undone_at = timezone.now()
    log.undone_by = _user(user)
    log.save(update_fields=["undone_at", "undone_by"])
    return log
