"""The diagnostic's PDF and Excel exports, built in the background (mutualis.jobs).

The builders call the existing report functions; the page that asks for them only
queues the job and shows its progress.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from django.utils.translation import gettext_lazy as _

from mutualis.inventory import report
from mutualis.inventory.diagnostic import Diagnostic, build_diagnostic
from mutualis.inventory.diagnostic.scoping import restrict
from mutualis.inventory.models import Campaign
from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, Report


def diagnostic_params(
    campaign: Campaign, on: date, read_scope: frozenset[int] | None = None
) -> dict[str, object]:
    """What a diagnostic export job needs: the campaign, the analysis date and the members
    whose detail the requesting user may read (None: all; `CampaignRights.read_scope`)."""
    return {
        "campaign_pk": campaign.pk,
        "on": on.isoformat(),
        "read_scope": None if read_scope is None else sorted(read_scope),
    }


def _scope(job: Job) -> frozenset[int] | None:
    scope = job.params.get("read_scope")
    return None if scope is None else frozenset(int(pk) for pk in scope)


def _build(
    render: Callable[[Diagnostic], bytes],
    extension: str,
    content_type: str,
    job: Job,
    progress: Report,
) -> JobFile:
    campaign = Campaign.objects.filter(
        pk=job.params.get("campaign_pk"), pooling_body_id=job.pooling_body_id
    ).first()
    if campaign is None:
        raise JobFailed(str(_("La campagne de ce diagnostic n'existe plus.")))
    progress(10, str(_("Lecture des réponses de la campagne.")))
    diagnostic = restrict(
        build_diagnostic(campaign, on=date.fromisoformat(str(job.params["on"]))), _scope(job)
    )
    progress(40, str(_("Mise en forme du document.")))
    data = render(diagnostic)
    # A sample campaign's files say in their name that the figures are fictitious.
    name = f"diagnostic-{campaign.year}" + ("-exemple-fictif" if campaign.is_sample else "")
    return JobFile(f"{name}.{extension}", data, content_type)


DIAGNOSTIC_PDF = JobKind(
    name="inventory.diagnostic_pdf",
    label=str(_("Rapport de diagnostic (PDF)")),
    build=partial(_build, report.render_pdf, "pdf", "application/pdf"),
)
DIAGNOSTIC_XLSX = JobKind(
    name="inventory.diagnostic_xlsx",
    label=str(_("Tableaux du diagnostic (Excel)")),
    build=partial(_build, report.render_xlsx, "xlsx", report.XLSX_TYPE),
)
