"""Scenario pages: list, create, results, edit, duplicate, status, snapshot, compare."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualis.accounts.access import authenticated_user, get_pooling_body_for
from mutualis.engine.errors import EngineError
from mutualis.engine.money import format_euros
from mutualis.inventory.charts import Bar, horizontal_bars
from mutualis.jobs.models import Job
from mutualis.jobs.services import request_job
from mutualis.scenarios import exports, queries, services
from mutualis.scenarios.access import get_scenario_for, get_snapshot_for, scenario_rights
from mutualis.scenarios.forms import CompareForm, ScenarioEditForm, ScenarioForm, SnapshotForm
from mutualis.scenarios.models import Scenario
from mutualis.scenarios.templatetags.scenarios import percent
from mutualis.templatetags.mutualis import euros

PHASE = "scenarios"


def member_rows(doc: dict[str, Any], sheet_url: str = "") -> list[dict[str, Any]]:
    """The allocation table's cells as display strings, one row per commune.

    158 communes × 9 columns are a few thousand template lookups and filters otherwise
    (most of the page's time): the row is formatted here, the template only prints it.
    `sheet_url` holds `{code}` for the link to each commune's sheet ("": no links).
    """
    methods = [a["method"] for a in doc["allocations"]]
    rows = []
    for m in doc["members"]:
        shares = m["allocations"]
        rows.append(
            {
                "name": m["name"],
                "sheet_url": sheet_url.replace("{code}", m["insee_code"]),
                "assumptions": " ; ".join(m["assumptions"]),
                "cost_before": euros(m["cost_before"]),
                "explanation": m["explanation"],
                "shares": [
                    (euros(shares.get(k)), bool(shares.get(k)) and not m["rational"].get(k))
                    for k in methods
                ],
                "saving": f"{euros(m['saving'])} ({percent(m['saving_percent'])})",
                "fte": f"{' + '.join(m['fte_today'].values()) or '0'} / {m['fte_needed']}",
                "ac": f"{euros(m.get('ac_deduction'))} / {euros(m.get('ac_monthly'))}",
            }
        )
    return rows


def projection_chart(doc: dict[str, Any]) -> SafeString:
    bars = []
    for row in doc["projection"]["rows"]:
        for label, key in ((_("avant"), "before"), (_("après"), "after")):
            bars.append(Bar(f"{row['year']} {label}", Decimal(row[key]), format_euros(row[key])))
    return horizontal_bars(
        bars,
        chart_id="projection",
        title=_("Coût annuel avant et après mutualisation"),
        description=_("Barres par année ; les valeurs sont dans le tableau qui suit."),
    )


@login_required
def scenario_list(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    rights = scenario_rights(abilities)
    return render(
        request,
        "scenarios/list.html",
        {
            "body": body,
            "rights": rights,
            "scenarios": queries.scenarios_for(body, published_only=not rights.sees_drafts),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    if not scenario_rights(abilities).can_edit:
        raise PermissionDenied
    campaign = queries.latest_campaign(body)
    initial = {"campaign": campaign, "horizon_years": 6, "method": "shapley"}
    if campaign is not None:
        initial["start_year"] = campaign.year + 1
    form = ScenarioForm(request.POST or None, body=body, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scenario = services.create_scenario(
                body,
                campaign=data["campaign"],
                name=data["name"],
                domain=data["domain"],
                legal_form=data["legal_form"],
                members=list(data["members"]),
                start_year=data["start_year"],
                horizon_years=data["horizon_years"],
                method=data["method"],
                user=authenticated_user(request),
            )
        except services.ScenarioRejected as exc:
            for problem in exc.problems:
                form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                _("Scénario créé, pré-rempli depuis l'état des lieux : vérifiez les hypothèses."),
            )
            return redirect("scenarios:detail", pk=body.pk, scenario_pk=scenario.pk)
    return render(
        request,
        "scenarios/form.html",
        {
            "body": body,
            "form": form,
            "title": _("Nouveau scénario"),
            "intro": _(
                "Choisissez le périmètre : le modèle de coût est pré-rempli depuis l'état des "
                "lieux et des valeurs par défaut documentées, que vous pourrez ensuite modifier."
            ),
            "submit": _("Créer le scénario"),
            "current_phase": PHASE,
        },
    )


def _results(
    scenario: Scenario, user: User | None = None
) -> tuple[dict[str, Any] | None, str, Job | None]:
    """The results, or why there are none: a computation error, or a background job.

    A large scenario whose inputs changed is computed by the worker (minutes at 158
    communes), not in the request: the page shows the job instead, and the stored
    results once it is done.
    """
    try:
        stored = services.stored_results(scenario)
        if stored.document is not None:
            return stored.document, "", None
        if stored.member_count <= settings.SCENARIO_BACKGROUND_MEMBERS:
            return services.compute_results(scenario, stored), "", None
    except EngineError as exc:
        return None, _("Calcul impossible : %(message)s") % {"message": exc.message}, None
    job = queries.pending_job(scenario, exports.RESULTS_JSON.name) or request_job(
        scenario.pooling_body, exports.RESULTS_JSON, user, exports.sheets_params(scenario)
    )
    message = _(
        "Les résultats de ce scénario (%(count)s membres) sont en cours de calcul en "
        "arrière-plan : rechargez la page dans quelques minutes."
    ) % {"count": stored.member_count}
    return None, message, job


def _sheet_url(scenario: Scenario) -> str:
    """The URL of a commune's sheet with `{code}` for its INSEE code (reversed once)."""
    url = reverse("scenarios:sheet", args=[scenario.pooling_body_id, scenario.pk, "00000"])
    return url.replace("00000", "{code}")


@login_required
def detail(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, rights = get_scenario_for(request.user, pk, scenario_pk)
    doc, error, job = _results(scenario, authenticated_user(request))
    return render(
        request,
        "scenarios/detail.html",
        {
            "body": scenario.pooling_body,
            "scenario": scenario,
            "rights": rights,
            "doc": doc,
            "rows": member_rows(doc, _sheet_url(scenario)) if doc else [],
            "chart": projection_chart(doc) if doc else None,
            "error": error if job is None else "",
            "pending": error if job is not None else "",
            "results_job": job,
            "statuses": Scenario.Status.choices,
            "snapshots": queries.snapshots_of(scenario),
            "current_phase": PHASE,
        },
    )


@login_required
def snapshot_detail(
    request: HttpRequest, pk: int, scenario_pk: int, snapshot_pk: int
) -> HttpResponse:
    snapshot, rights = get_snapshot_for(request.user, pk, scenario_pk, snapshot_pk)
    scenario = snapshot.scenario
    return render(
        request,
        "scenarios/detail.html",
        {
            "body": scenario.pooling_body,
            "scenario": scenario,
            "snapshot": snapshot,
            "rights": rights,
            "doc": snapshot.payload,
            "rows": member_rows(snapshot.payload),
            "chart": projection_chart(snapshot.payload),
            "statuses": Scenario.Status.choices,
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, _rights = get_scenario_for(request.user, pk, scenario_pk, edit=True)
    body = scenario.pooling_body
    form = ScenarioEditForm(request.POST or None, instance=scenario, body=body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in ("name", "domain", "legal_form", "start_year", "horizon_years", "method")
        }
        original = Scenario.objects.get(pk=scenario.pk)  # the form wrote into `instance`
        try:
            services.update_scenario(
                original,
                fields=fields,
                cost_model=form.cost_model(),
                members=list(data["members"]),
            )
        except services.ScenarioRejected as exc:
            for problem in exc.problems:
                form.add_error(None, str(problem))
        else:
            messages.success(request, _("Scénario enregistré."))
            return redirect("scenarios:detail", pk=body.pk, scenario_pk=scenario.pk)
    return render(
        request,
        "scenarios/form.html",
        {
            "body": body,
            "form": form,
            "title": _("Modifier le scénario « %(name)s »") % {"name": scenario.name},
            "intro": _(
                "Les valeurs pré-remplies indiquent leur source ; une valeur modifiée n'est "
                "plus signalée comme valeur par défaut."
            ),
            "submit": _("Enregistrer"),
            "current_phase": PHASE,
        },
    )


@login_required
@require_POST
def duplicate(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, rights = get_scenario_for(request.user, pk, scenario_pk)
    if not rights.can_duplicate:
        raise PermissionDenied
    copy = services.duplicate_scenario(scenario, authenticated_user(request))
    messages.success(request, _("Scénario dupliqué : vous pouvez modifier la copie."))
    return redirect("scenarios:detail", pk=pk, scenario_pk=copy.pk)


@login_required
@require_POST
def status(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, rights = get_scenario_for(request.user, pk, scenario_pk)
    if not rights.can_change_status:
        raise PermissionDenied
    value = request.POST.get("status", "")
    if value not in Scenario.Status.values:
        messages.error(request, _("Statut inconnu : rien n'a été modifié."))
    else:
        services.set_status(scenario, value)
        messages.success(request, _("Statut mis à jour."))
    return redirect("scenarios:detail", pk=pk, scenario_pk=scenario.pk)


@login_required
@require_POST
def snapshot(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, rights = get_scenario_for(request.user, pk, scenario_pk)
    if not rights.can_snapshot:
        raise PermissionDenied
    form = SnapshotForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    try:
        snap = services.take_snapshot(scenario, authenticated_user(request), label)
    except EngineError as exc:
        messages.error(request, _("Calcul impossible : %(message)s") % {"message": exc.message})
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario.pk)
    messages.success(request, _("Instantané figé : ses chiffres ne changeront plus."))
    return redirect(
        "scenarios:snapshot_detail", pk=pk, scenario_pk=scenario.pk, snapshot_pk=snap.pk
    )


def compared(request: HttpRequest, pk: int) -> tuple[Any, CompareForm, list[dict[str, Any]]]:
    """The body, the compare form and the documents of the chosen scenarios (or none)."""
    body, abilities = get_pooling_body_for(request.user, pk)
    rights = scenario_rights(abilities)
    form = CompareForm(
        request.GET or None,
        queryset=queries.scenarios_for(body, published_only=not rights.sees_drafts),
    )
    docs: list[dict[str, Any]] = []
    if form.is_valid():
        for scenario in form.cleaned_data["scenarios"]:
            scenario.pooling_body = body
            doc, error, _job = _results(scenario, authenticated_user(request))
            if doc is None:
                form.add_error("scenarios", f"{scenario.name} : {error}")
                return body, form, []
            docs.append(doc)
    return body, form, docs


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    body, form, docs = compared(request, pk)
    return render(
        request,
        "scenarios/compare.html",
        {
            "body": body,
            "form": form,
            "docs": docs,
            "query": request.GET.urlencode(),
            "current_phase": PHASE,
        },
    )
