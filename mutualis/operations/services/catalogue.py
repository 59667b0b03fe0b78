"""The digital-services catalogue: offers and their tariffs, subscriptions, publication;
service participations."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.operations import analysis
from mutualis.operations.forms import OfferForm, offer_spec_of
from mutualis.operations.models import (
    Catalogue,
    Offer,
    ServiceMember,
    SharedService,
    Subscription,
)
from mutualis.operations.services.errors import OperationsError
from mutualis.territories.models import Member, PoolingBody
from mutualis.territories.services import save_versioned

# --- catalogue ----------------------------------------------------------------------------


@transaction.atomic
def subscribe(
    offer: Offer,
    member: Member,
    start_on: date,
    end_on: date | None,
    users: int = 0,
    *,
    is_sample: bool = False,
) -> Subscription:
    if end_on is not None and end_on < start_on:
        raise OperationsError(
            _("L'abonnement se termine avant de commencer (%(s)s > %(e)s).")
            % {"s": f"{start_on:%d/%m/%Y}", "e": f"{end_on:%d/%m/%Y}"}
        )
    if member.pooling_body_id != offer.pooling_body_id:
        raise OperationsError(_("Ce membre n'appartient pas à la structure de l'offre."))
    return Subscription.objects.create(
        offer=offer,
        member=member,
        start_on=start_on,
        end_on=end_on,
        users=users,
        is_sample=is_sample,
    )


@transaction.atomic
def set_catalogue_published(body: PoolingBody, published: bool) -> Catalogue:
    catalogue, _created = Catalogue.objects.get_or_create(pooling_body=body)
    catalogue.is_published = published
    catalogue.save()
    return catalogue


@transaction.atomic
def add_participation(service: SharedService, **fields: Any) -> ServiceMember:
    """A member joins the service from a date (to another, when it leaves)."""
    return ServiceMember.objects.create(service=service, **fields)


@transaction.atomic
def save_offer(
    form: OfferForm, bands: BaseInlineFormSet[Any, Any, Any], version: str | None
) -> Offer:
    """Store an offer and its population bands, version-locked; the engine checks the
    whole grid first (`engine.tariffs`: bands that overlap or leave a gap are refused)."""
    try:
        analysis.build_tariff(offer_spec_of(form, bands))
    except EngineError as exc:
        raise OperationsError(_("Tarif : %(m)s") % {"m": exc}) from exc
    offer = cast(Offer, save_versioned(form, version))
    bands.instance = offer
    bands.save()
    return offer
