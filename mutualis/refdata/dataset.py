"""The committed COG 2026 dataset of communes and EPCI, read without Django.

The file is built by `scripts/build_refdata.py` from @etalab/decoupage-administratif; its
layout is a header plus, per table, a list of column names and a list of rows.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "cog2026.json.gz"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class CommuneRecord:
    """A current commune (INSEE `commune-actuelle`).

    `population_municipale` is the INSEE legal population of communes.json;
    `population_totale` and `population_municipale_dgcl` come from the DGCL file of EPCI
    members (same vintage as the EPCI totals, so they sum to them) and are None for the
    few communes outside any EPCI.
    """

    insee_code: str
    siren: str | None
    name: str
    departement: str
    region: str
    population_municipale: int | None
    population_totale: int | None
    population_municipale_dgcl: int | None
    epci_siren: str | None


@dataclass(frozen=True, slots=True)
class EpciRecord:
    """An EPCI à fiscalité propre; `members` are INSEE codes, sorted."""

    siren: str
    name: str
    kind: str
    fiscal_regime: str
    population_municipale: int
    population_totale: int
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Source:
    package: str
    version: str
    licence: str

    def __str__(self) -> str:
        return f"{self.package}@{self.version}"


@dataclass(frozen=True)
class Dataset:
    vintage: str
    source: Source
    communes: dict[str, CommuneRecord]
    epcis: dict[str, EpciRecord]


class DatasetError(ValueError):
    """The dataset file is missing or does not have the expected layout."""


def _rows(table: dict[str, Any], expected: list[str], path: Path) -> list[dict[str, Any]]:
    if table["columns"] != expected:
        raise DatasetError(f"{path} : colonnes inattendues {table['columns']}")
    return [dict(zip(expected, row, strict=True)) for row in table["rows"]]


def parse_dataset(raw: dict[str, Any], path: Path = DEFAULT_PATH) -> Dataset:
    if raw.get("format") != FORMAT_VERSION:
        raise DatasetError(f"{path} : format {raw.get('format')!r} non pris en charge")
    communes = {
        row["insee_code"]: CommuneRecord(**row)
        for row in _rows(raw["communes"], list(CommuneRecord.__dataclass_fields__), path)
    }
    epcis = {}
    for row in _rows(raw["epcis"], list(EpciRecord.__dataclass_fields__), path):
        row["members"] = tuple(row["members"])
        epcis[row["siren"]] = EpciRecord(**row)
    return Dataset(
        vintage=raw["vintage"],
        source=Source(**raw["source"]),
        communes=communes,
        epcis=epcis,
    )


@functools.cache
def read_dataset(path: Path = DEFAULT_PATH) -> Dataset:
    """Read and parse the gzipped dataset (cached per path)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            raw = json.load(handle)
    except FileNotFoundError as exc:
        raise DatasetError(f"Fichier du référentiel introuvable : {path}") from exc
    return parse_dataset(raw, path)
