"""Load the COG dataset into the database and look communes and EPCI up."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from mutualis.refdata.dataset import Dataset, read_dataset
from mutualis.refdata.models import Commune, DatasetVersion, Epci

BATCH_SIZE = 1000
SIREN_RE = re.compile(r"\d{9}")

EPCI_FIELDS = (
    "name",
    "name_search",
    "kind",
    "fiscal_regime",
    "population_municipale",
    "population_totale",
)
COMMUNE_FIELDS = (
    "siren",
    "name",
    "departement",
    "region",
    "population_municipale",
    "population_totale",
    "population_municipale_dgcl",
    "epci_id",
)


class UnknownEpci(ValueError):
    """No EPCI with this SIREN in the loaded reference data (or a malformed SIREN)."""

    def __init__(self, siren: str, message: str | None = None) -> None:
        self.siren = siren
        if message is None:
            version = current_version()
            vintage = version.vintage if version else "COG 2026"
            message = _("Aucun EPCI de SIREN %(siren)s dans le référentiel %(vintage)s.") % {
                "siren": siren,
                "vintage": vintage,
            }
            if version is None:
                message += " " + _(
                    "Le référentiel n'est pas chargé : lancez « mutualis refdata load »."
                )
        super().__init__(message)


@dataclass(frozen=True)
class LoadResult:
    version: DatasetVersion
    created: int
    updated: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for searching names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped.lower()).split())


def _epci_values(dataset: Dataset) -> dict[str, tuple[Any, ...]]:
    return {
        siren: (
            e.name,
            normalise(e.name),
            e.kind,
            e.fiscal_regime,
            e.population_municipale,
            e.population_totale,
        )
        for siren, e in dataset.epcis.items()
    }


def _commune_values(dataset: Dataset) -> dict[str, tuple[Any, ...]]:
    return {
        code: (
            c.siren or "",
            c.name,
            c.departement,
            c.region,
            c.population_municipale,
            c.population_totale,
            c.population_municipale_dgcl,
            c.epci_siren,
        )
        for code, c in dataset.communes.items()
    }


def _chunks(items: Sequence[Any], size: int = BATCH_SIZE) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sync(
    model: type[models.Model], fields: Sequence[str], wanted: dict[str, tuple[Any, ...]]
) -> tuple[int, int, list[str]]:
    """Create and update rows of `model` to match `wanted`; return the keys to delete."""
    existing = {
        row[0]: tuple(row[1:])
        for row in model._default_manager.values_list("pk", *fields).iterator()
    }
    pk_name = model._meta.pk.attname

    def build(pk: str, values: tuple[Any, ...]) -> models.Model:
        return model(**{pk_name: pk}, **dict(zip(fields, values, strict=True)))

    to_create = [build(pk, v) for pk, v in sorted(wanted.items()) if pk not in existing]
    to_update = [
        build(pk, v) for pk, v in sorted(wanted.items()) if pk in existing and existing[pk] != v
    ]
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    model._default_manager.bulk_update(to_update, fields, batch_size=BATCH_SIZE // 4)
    vanished = sorted(set(existing) - set(wanted))
    return len(to_create), len(to_update), vanished


def _delete(model: type[models.Model], keys: Sequence[str]) -> int:
    for chunk in _chunks(keys):
        model._default_manager.filter(pk__in=chunk).delete()
    return len(keys)


@transaction.atomic
def sync_refdata(dataset: Dataset | None = None) -> LoadResult:
    """Make the Commune and Epci tables equal to the dataset, all or nothing.

    A new DatasetVersion is recorded only when a row changed or none exists yet, so that
    loading the same dataset twice leaves the database as it was.
    """
    dataset = dataset or read_dataset()
    epci_created, epci_updated, epci_vanished = _sync(Epci, EPCI_FIELDS, _epci_values(dataset))
    commune_created, commune_updated, commune_vanished = _sync(
        Commune, COMMUNE_FIELDS, _commune_values(dataset)
    )
    # Communes first: a vanished EPCI may still be referenced by a vanished commune.
    deleted = _delete(Commune, commune_vanished) + _delete(Epci, epci_vanished)
    created = epci_created + commune_created
    updated = epci_updated + commune_updated

    source = str(dataset.source)
    version = current_version()
    if (
        version is None
        or created
        or updated
        or deleted
        or (version.vintage, version.source) != (dataset.vintage, source)
    ):
        version = DatasetVersion.objects.create(
            vintage=dataset.vintage,
            source=source,
            commune_count=len(dataset.communes),
            epci_count=len(dataset.epcis),
        )
    return LoadResult(version=version, created=created, updated=updated, deleted=deleted)


def load_refdata(dataset: Dataset | None = None) -> DatasetVersion:
    """Load the dataset (the committed COG 2026 one by default); idempotent."""
    return sync_refdata(dataset).version


def current_version() -> DatasetVersion | None:
    return DatasetVersion.objects.order_by("-loaded_at", "-pk").first()


def get_epci(siren: str) -> Epci:
    """Return the EPCI of this SIREN (spaces allowed), or raise UnknownEpci."""
    cleaned = "".join(str(siren).split())
    if not SIREN_RE.fullmatch(cleaned):
        raise UnknownEpci(
            cleaned,
            _("Le SIREN doit comporter 9 chiffres (reçu : « %(siren)s »).") % {"siren": siren},
        )
    try:
        return Epci.objects.get(pk=cleaned)
    except Epci.DoesNotExist:
        raise UnknownEpci(cleaned) from None


def epci_members(siren: str) -> list[Commune]:
    """Member communes of the EPCI, ordered by INSEE code."""
    epci = get_epci(siren)
    return list(Commune.objects.filter(epci=epci).order_by("insee_code"))


def search_epcis(query: str, limit: int = 20) -> list[Epci]:
    """EPCI whose SIREN starts with the digits typed, or whose name holds every word typed.

    Matching ignores case, accents and punctuation: "foret seine" finds
    "CC Forêts, Seine et Suzon".
    """
    compact = "".join(query.split())
    if compact.isdigit():
        queryset = Epci.objects.filter(siren__startswith=compact)
    else:
        words = normalise(query).split()
        if not words:
            return []
        queryset = Epci.objects.all()
        for word in words:
            queryset = queryset.filter(name_search__contains=word)
    return list(queryset.order_by("name", "siren")[:limit])
