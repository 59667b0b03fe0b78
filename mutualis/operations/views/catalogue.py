"""The digital-services catalogue: offers and subscriptions, and its public page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.engine.errors import EngineError
from mutualis.operations import analysis, services
from mutualis.operations.access import get_body_for, require_cycle, visible_subscriptions
from mutualis.operations.forms import BandFormSet, OfferForm, SimulatorForm, SubscriptionForm
from mutualis.operations.models import Catalogue, Offer
from mutualis.operations.services import OperationsError
from mutualis.operations.views.editing import save_versioned
from mutualis.territories.models import PoolingBody

PHASE = "pilotage"


def _offers(body: PoolingBody) -> QuerySet[Offer]:
    return body.offers.prefetch_related("bands")


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest, pk: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    form = None
    if rights.can_run_cycle:
        form = SubscriptionForm(request.POST or None, body=body)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None:
        if "publish" in request.POST:
            published = request.POST["publish"] == "1"
            services.set_catalogue_published(body, published)
            messages.success(
                request,
                _("Catalogue publié.") if published else _("Catalogue retiré de la page publique."),
            )
            return redirect("operations:catalogue", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscribe(
                    data["offer"], data["member"], data["start_on"], data["end_on"], data["users"]
                )
            except OperationsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Abonnement enregistré."))
                return redirect("operations:catalogue", pk=pk)
    year = timezone.localdate().year
    subscriptions = (
        visible_subscriptions(body, rights)
        .select_related("offer", "member")
        .prefetch_related("offer__bands")
    )
    rows = []
    for subscription in subscriptions:
        try:
            amount, _explanation = services.yearly_price(subscription, year)
        except OperationsError as exc:
            amount, error = None, str(exc)
        else:
            error = ""
        rows.append({"subscription": subscription, "yearly": amount, "error": error})
    return render(
        request,
        "operations/catalogue.html",
        {
            "body": body,
            "rights": rights,
            "offers": _offers(body),
            "rows": rows,
            "year": year,
            "form": form,
            "catalogue": Catalogue.objects.filter(pooling_body=body).first(),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int, offer_pk: int | None = None) -> HttpResponse:
    """Create or edit an offer and its tariff (version-locked); bands as a formset."""
    body, rights = get_body_for(request.user, pk)
    require_cycle(rights)
    offer = get_object_or_404(Offer, pk=offer_pk, pooling_body=body) if offer_pk else None
    form = OfferForm(request.POST or None, instance=offer or Offer(pooling_body=body), body=body)
    bands = BandFormSet(request.POST or None, instance=offer or Offer(), prefix="bands")
    saved, version = save_versioned(
        request,
        form,
        lambda version: services.save_offer(form, bands, version),
        valid=request.method != "POST" or bands.is_valid(),
    )
    if saved:
        messages.success(request, _("Offre « %(name)s » enregistrée.") % {"name": form.instance})
        return redirect("operations:catalogue", pk=body.pk)
    return render(
        request,
        "operations/edit.html",
        {
            "body": body,
            "rights": rights,
            "form": form,
            "bands": bands,
            "version": version,
            "title": _("Modifier l'offre « %(name)s »") % {"name": offer.name}
            if offer
            else _("Nouvelle offre du catalogue"),
            "back": reverse("operations:catalogue", args=[body.pk]),
            "current_phase": PHASE,
        },
    )


def public_catalogue(request: HttpRequest, siren: str) -> HttpResponse:
    """Readable without logging in, only when the body publishes its catalogue."""
    catalogue = (
        Catalogue.objects.filter(pooling_body__siren=siren, is_published=True)
        .select_related("pooling_body")
        .first()
    )
    if catalogue is None or not siren:
        raise Http404
    body = catalogue.pooling_body
    offers = _offers(body)
    form = SimulatorForm(request.GET or None, offers=offers)
    simulation = None
    if request.GET and form.is_valid():
        offer: Offer = form.cleaned_data["offer"]
        try:
            simulation = analysis.price(
                services.offer_spec(offer),
                form.cleaned_data["population"],
                form.cleaned_data["users"] or 0,
                _("population saisie"),
            )
        except EngineError as exc:
            form.add_error("population", str(exc))
    return render(
        request,
        "operations/public_catalogue.html",
        {
            "public_body": body,
            "catalogue": catalogue,
            "offers": offers,
            "form": form,
            "simulation": simulation,
        },
    )
