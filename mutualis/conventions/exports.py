"""The document pack of a convention version, built in the background (mutualis.jobs).

The pack holds the convention (DOCX, ODT, PDF), its financial annex (Excel, PDF) and one
draft deliberation per party (DOCX, ODT): 158 parties make over 300 files, so the page
only queues the job and shows its progress; the ZIP stays downloadable for the
retention period (`JOB_RETENTION_DAYS`).
"""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis.conventions.batch import build_document_pack
from mutualis.conventions.documents import TemplateRenderError
from mutualis.conventions.models import ConventionVersion
from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, Report

ZIP_TYPE = "application/zip"


def pack_params(version: ConventionVersion) -> dict[str, object]:
    """What a pack job needs: the convention and the version number."""
    return {"convention_pk": version.convention_id, "number": version.number}


def pack_name(version: ConventionVersion) -> str:
    name = f"documents-{slugify(version.convention.title)[:60]}-v{version.number}"
    return name + ("-donnees-fictives" if version.convention.is_sample else "") + ".zip"


def _build_pack(job: Job, progress: Report) -> JobFile:
    version = (
        ConventionVersion.objects.select_related("convention__pooling_body")
        .filter(
            convention_id=job.params.get("convention_pk"),
            number=job.params.get("number"),
            convention__pooling_body_id=job.pooling_body_id,
        )
        .first()
    )
    if version is None:
        raise JobFailed(_("Cette version de la convention n'existe plus."))
    progress(2, _("Calcul de l'annexe financière."))

    def step(done: int, total: int) -> None:
        # Report every tenth of the way only: one short write, not one per file.
        if done == total or done % max(1, total // 10) == 0:
            progress(
                2 + 96 * done // total,
                _("%(done)s documents sur %(total)s produits.") % {"done": done, "total": total},
            )

    try:
        content = build_document_pack(version, progress=step)
    except TemplateRenderError as exc:
        raise JobFailed(
            _(
                "Le modèle de document de la structure ne peut pas être rendu : %(error)s "
                "Corrigez ou retirez le modèle (page « Modèles de documents »), puis relancez."
            )
            % {"error": exc}
        ) from exc
    return JobFile(pack_name(version), content, ZIP_TYPE)


DOCUMENT_PACK = JobKind(
    name="conventions.document_pack",
    label=str(gettext_lazy("Documents de la convention (ZIP)")),
    build=_build_pack,
)
