"""Large workbook imports applied in the background (mutualis.jobs).

A file above `INVENTORY_IMPORT_BACKGROUND_BYTES` is previewed as any other (nothing is
written until the user confirms); its confirmation queues an `IMPORT_APPLY` job instead
of writing during the request. The job confirms the very preview the user saw: it
applies the plan only if its digest is unchanged (`imports.confirm_import`, one
transaction, all or nothing), so rows changed on the web since the export stay
conflicts and a transmitted commune stays refused. Its file is a short French report.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis.inventory import imports
from mutualis.inventory.models import PendingImport
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


def _apply(job: Job, progress: Report) -> JobFile:
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
    user = User.objects.filter(pk=job.requested_by_id or 0).first()
    scope = params.get("member_ids")
    progress(10, _("Lecture du classeur et vérification de l'aperçu."))
    try:
        result = imports.confirm_import(
            pending,
            user=user,
            member_ids=None if scope is None else frozenset(int(pk) for pk in scope),
            overwrite=bool(params.get("overwrite")),
            expected_digest=str(params.get("digest", "")),
        )
    except imports.ImportRejected as exc:
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


IMPORT_APPLY = JobKind(
    name="inventory.import_apply",
    label=str(gettext_lazy("Import d'un classeur")),
    build=_apply,
)
