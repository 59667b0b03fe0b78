"""The catalogue JSON format (docs/operations.md): parse, check every offer, then load.

All or nothing: every problem of every offer is collected (`Problem(row=offer number)`),
and nothing is stored when there is one. Tariff grids are checked by the engine itself
(`analysis.build_tariff`), the same rules as the forms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.money import D
from mutualis.operations import analysis
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import Catalogue, Offer, TariffBand
from mutualis.operations.services import ImportRejected, Problem
from mutualis.territories.models import PoolingBody

CATEGORIES = set(Offer.Category.values)
MODELS = set(Offer.Model.values)


@dataclass(frozen=True)
class OfferInput:
    code: str
    name: str
    category: str
    description: str
    spec: analysis.OfferSpec
    population_key: str
    imputation: str


def _decimal(value: Any, number: int, field: str, problems: list[Problem]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return D(value if not isinstance(value, float) else str(value))
    except EngineError as exc:
        problems.append(Problem(number, field, str(exc)))
        return None


def parse_catalogue(text: str) -> tuple[dict[str, Any], list[OfferInput], list[Problem]]:
    problems: list[Problem] = []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return (
            {},
            [],
            [
                Problem(
                    0,
                    "JSON",
                    _("fichier illisible (ligne %(l)s) : %(m)s") % {"l": exc.lineno, "m": exc.msg},
                )
            ],
        )
    if not isinstance(data, dict) or not isinstance(data.get("offers"), list):
        return {}, [], [Problem(0, "offers", _("la clé « offers » doit être une liste d'offres."))]
    frequency = data.get("billing_frequency", Frequency.QUARTERLY.value)
    if frequency not in {f.value for f in Frequency}:
        problems.append(
            Problem(0, "billing_frequency", _("périodicité inconnue « %(f)s ».") % {"f": frequency})
        )
    offers: list[OfferInput] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["offers"], start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(number, "offre", _("chaque offre est un objet JSON.")))
            continue
        code = str(raw.get("code", "")).strip()
        if not code:
            problems.append(Problem(number, "code", _("le code de l'offre est obligatoire.")))
        elif code in seen:
            problems.append(
                Problem(number, "code", _("le code « %(c)s » est en double.") % {"c": code})
            )
        seen.add(code)
        if not str(raw.get("name", "")).strip():
            problems.append(Problem(number, "name", _("l'intitulé est obligatoire.")))
        category = raw.get("category", "other")
        if category not in CATEGORIES:
            problems.append(
                Problem(number, "category", _("catégorie inconnue « %(c)s ».") % {"c": category})
            )
        tariff = raw.get("tariff") or {}
        model = tariff.get("model")
        if model not in MODELS:
            problems.append(
                Problem(
                    number, "tariff.model", _("modèle tarifaire inconnu « %(m)s ».") % {"m": model}
                )
            )
            continue
        bands = []
        for band in tariff.get("bands") or []:
            lower = band.get("from")
            upper = band.get("to")
            value = _decimal(band.get("value"), number, "tariff.bands.value", problems)
            if (
                not isinstance(lower, int)
                or (upper is not None and not isinstance(upper, int))
                or value is None
            ):
                problems.append(
                    Problem(
                        number,
                        "tariff.bands",
                        _("chaque tranche a « from » et « to » entiers et une « value »."),
                    )
                )
                continue
            bands.append((lower, upper, value))
        spec = analysis.OfferSpec(
            model=model,
            amount=_decimal(tariff.get("amount"), number, "tariff.amount", problems),
            rate=_decimal(tariff.get("rate"), number, "tariff.rate", problems),
            minimum=_decimal(tariff.get("minimum"), number, "tariff.minimum", problems),
            maximum=_decimal(tariff.get("maximum"), number, "tariff.maximum", problems),
            bands=tuple(bands),
        )
        try:
            analysis.build_tariff(spec)
        except EngineError as exc:
            problems.append(Problem(number, "tariff", str(exc)))
            continue
        offers.append(
            OfferInput(
                code=code,
                name=str(raw.get("name", "")).strip(),
                category=category,
                description=str(raw.get("description", "")),
                spec=spec,
                population_key=str(raw.get("population", "population_municipale")),
                imputation=str(raw.get("imputation", "")),
            )
        )
    return data, offers, problems


@transaction.atomic
def import_catalogue(body: PoolingBody, text: str, *, is_sample: bool = False) -> list[Offer]:
    """Create or update the body's offers from the JSON text; raises ImportRejected."""
    data, offers, problems = parse_catalogue(text)
    if problems:
        raise ImportRejected(problems)
    catalogue, _created = Catalogue.objects.get_or_create(pooling_body=body)
    catalogue.billing_frequency = data.get("billing_frequency", Frequency.QUARTERLY.value)
    catalogue.is_published = bool(data.get("published", catalogue.is_published))
    catalogue.introduction = str(data.get("introduction", catalogue.introduction))
    catalogue.save()
    stored = []
    for item in offers:
        offer, _created = Offer.objects.update_or_create(
            pooling_body=body,
            code=item.code,
            defaults={
                "name": item.name,
                "category": item.category,
                "description": item.description,
                "tariff_model": item.spec.model,
                "amount": item.spec.amount,
                "rate": item.spec.rate,
                "minimum_amount": item.spec.minimum,
                "maximum_amount": item.spec.maximum,
                "population_key": item.population_key,
                "imputation": item.imputation,
                "is_sample": is_sample,
            },
        )
        offer.bands.all().delete()
        TariffBand.objects.bulk_create(
            TariffBand(offer=offer, lower=lower, upper=upper, value=value)
            for lower, upper, value in item.spec.bands
        )
        stored.append(offer)
    return stored
