"""Large workbook imports checked and applied in the background (mutualis.jobs).

A file above `INVENTORY_IMPORT_BACKGROUND_BYTES` is kept unchecked by the upload, and an
`IMPORT_CHECK` job checks it and computes its preview (`imports.check_staged`, nothing
written but the preview); the job's page then leads to the preview, or shows the French
problems and can be retried. Nothing is written until the user confirms; the
confirmation queues an `IMPORT_APPLY` job instead of writing during the request. That
job confirms the very preview the user saw: it applies the plan only if its digest is
unchanged (`imports.confirm_import`, one transaction, all or nothing), so rows changed on
the web since the export stay conflicts and a transmitted commune stays refused. Each
job's file is a short French report.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis.inventory import imports
from mutualis.inventory.models import PendingImport
from mutualis.inventory.queries import campaign_members
from mutualis.inventory.services import InventoryError
from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, Report
from mutualis.jobs.services import request_job

DEFAULT_BACKGROUND_BYTES = 1024 * 1024


def background_bytes() -> int:
    """Workbooks larger than this (in bytes) are imported by a background job."""
    return int(getattr(settings, "INVENTORY_IMPORT_BACKGROUND_BYTES", DEFAULT_BACKGROUND_BYTES))


def runs_in_background(pending: PendingImport) -> bool:
    return len(bytes(pending.data)) > background_bytes()


def request_check(pending: PendingImport, user: User, *, member_ids: frozenset[int] | None) -> Job:
    """Queue the check and preview of a large file kept by `imports.stage_unchecked`."""
    return request_job(
        pending.campaign.pooling_body,
        IMPORT_CHECK,
        user,
        {
            "campaign_pk": pending.campaign_id,
            "token": pending.token,
            "member_ids": None if member_ids is None else sorted(member_ids),
        },
    )


def check_job(pending: PendingImport) -> Job | None:
    """The latest background check of a staged file."""
    return (
        Job.objects.filter(
            pooling_body_id=pending.campaign.pooling_body_id,
            kind=IMPORT_CHECK.name,
            params__token=pending.token,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def request_import(
    pending: PendingImport,
    user: User,
    *,
    member_ids: frozenset[int] | None,
    overwrite: bool,
    expected_digest: str,
) -> Job:
    """Queue the confirmation of a previewed file; nothing is written until the job runs."""
    return request_job(
        pending.campaign.pooling_body,
        IMPORT_APPLY,
        user,
        {
            "campaign_pk": pending.campaign_id,
            "token": pending.token,
            "member_ids": None if member_ids is None else sorted(member_ids),
            "overwrite": overwrite,
            "digest": expected_digest,
        },
    )


def _pending(job: Job) -> PendingImport:
    """The staged file of a job: its requester's, in its body, not expired."""
    params = job.params
    pending = (
        PendingImport.objects.select_related("campaign__pooling_body")
        .filter(
            token=str(params.get("token", "")),
            campaign_id=params.get("campaign_pk"),
            campaign__pooling_body_id=job.pooling_body_id,
            user_id=job.requested_by_id or 0,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if pending is None:
        raise JobFailed(
            _("Le classeur déposé a expiré ou a déjà été importé : déposez-le à nouveau.")
        )
    return pending


def _scope(job: Job) -> frozenset[int] | None:
    scope = job.params.get("member_ids")
    return None if scope is None else frozenset(int(pk) for pk in scope)


def _check(job: Job, progress: Report) -> JobFile:
    pending = _pending(job)
    progress(10, _("Vérification du classeur (contrôles et comparaison avec les données)."))
    names = {m.pk: m.name for m in campaign_members(pending.campaign)}
    try:
        plan = imports.check_staged(pending, _scope(job), names)
    except imports.ImportRejected as exc:
        raise JobFailed(
            " ".join(
                [
                    str(exc),
                    _("Corrigez le classeur et déposez-le à nouveau."),
                    *(str(group) for group in exc.groups),
                ]
            )
        ) from exc
    progress(90, _("Aperçu prêt."))
    lines = [_("Vérification du classeur « %(name)s »") % {"name": pending.file_name}]
    lines += plan.lines(names)
    name = f"apercu-import-{pending.campaign.year}.txt"
    return JobFile(name, ("\n".join(str(line) for line in lines) + "\n").encode(), "text/plain")


def _preview_link(job: Job) -> tuple[str, str] | None:
    pending = PendingImport.objects.filter(
        token=str(job.params.get("token", "")),
        campaign__pooling_body_id=job.pooling_body_id,
        checked=True,
        expires_at__gt=timezone.now(),
    ).first()
    if pending is None:
        return None
    url = reverse(
        "inventory:import_preview",
        args=[job.pooling_body_id, pending.campaign_id, pending.token],
    )
    return url, str(gettext_lazy("Voir l'aperçu et confirmer l'import"))


def _refresh_preview(pending: PendingImport, job: Job) -> None:
    """After a refused confirmation (the data changed since the preview), store the new
    preview, so that the preview page shows what confirming would now do."""
    names = {m.pk: m.name for m in campaign_members(pending.campaign)}
    # When the file itself is now refused, the job's message says why.
    with contextlib.suppress(imports.ImportRejected):
        imports.check_staged(pending, _scope(job), names)


def _apply(job: Job, progress: Report) -> JobFile:
    params = job.params
    pending = _pending(job)
    user = User.objects.filter(pk=job.requested_by_id or 0).first()
    progress(10, _("Lecture du classeur et vérification de l'aperçu."))
    try:
        result = imports.confirm_import(
            pending,
            user=user,
            member_ids=_scope(job),
            overwrite=bool(params.get("overwrite")),
            expected_digest=str(params.get("digest", "")),
        )
    except imports.ImportRejected as exc:
        _refresh_preview(pending, job)
        raise JobFailed(" ".join([str(exc), *(str(group) for group in exc.groups)])) from exc
    except InventoryError as exc:
        raise JobFailed(str(exc)) from exc
    progress(90, _("Import enregistré."))
    lines = [
        _("Import du classeur « %(name)s »") % {"name": pending.file_name},
        _("Campagne : %(campaign)s") % {"campaign": pending.campaign},
    ]
    if result.log is None:
        lines.append(_("Le classeur ne change rien : rien n'a été enregistré."))
    else:
        lines.append(
            _(
                "Journal d'import n° %(pk)s : %(created)s créée(s), %(updated)s modifiée(s), "
                "%(deleted)s supprimée(s)."
            )
            % {
                "pk": result.log.pk,
                "created": result.log.created_count,
                "updated": result.log.updated_count,
                "deleted": result.log.deleted_count,
            }
        )
    name = f"compte-rendu-import-{pending.campaign.year}.txt"
    return JobFile(name, ("\n".join(str(line) for line in lines) + "\n").encode(), "text/plain")


IMPORT_CHECK = JobKind(
    name="inventory.import_check",
    label=str(gettext_lazy("Vérification d'un classeur")),
    build=_check,
    follow=_preview_link,
)
IMPORT_APPLY = JobKind(
    name="inventory.import_apply",
    label=str(gettext_lazy("Import d'un classeur")),
    build=_apply,
    follow=_preview_link,  # after a refusal, back to the refreshed preview
)
