"""Rebuild the compact COG 2026 dataset from the npm package @etalab/decoupage-administratif.

Usage: python scripts/build_refdata.py [PACKAGE_DIR] [--output PATH]

PACKAGE_DIR defaults to node_modules/@etalab/decoupage-administratif (run `npm ci` first).
The output is deterministic: sorted rows and keys, gzip with mtime=0, so rebuilding from
the same package version gives the same bytes as the committed file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE_DIR = REPO_DIR / "node_modules" / "@etalab" / "decoupage-administratif"
DEFAULT_OUTPUT = REPO_DIR / "mutualis" / "refdata" / "data" / "cog2026.json.gz"

FORMAT_VERSION = 1
VINTAGE = "COG 2026"
LICENCE = (
    "Données : Licence Ouverte / Open Licence 2.0 (Etalab) — sources INSEE (COG, populations "
    "légales) et DGCL (composition des EPCI à fiscalité propre). Paquet npm : licence MIT."
)
COMMUNE_COLUMNS = [
    "insee_code",
    "siren",
    "name",
    "departement",
    "region",
    "population_municipale",
    "population_totale",
    "population_municipale_dgcl",
    "epci_siren",
]
EPCI_COLUMNS = [
    "siren",
    "name",
    "kind",
    "fiscal_regime",
    "population_municipale",
    "population_totale",
    "members",
]


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def build(package_dir: Path) -> dict[str, Any]:
    """Return the dataset as a JSON-ready dict (rows sorted by code)."""
    package = load_json(package_dir / "package.json")
    communes = [
        c
        for c in load_json(package_dir / "data" / "communes.json")
        if c["type"] == "commune-actuelle"
    ]
    epcis = load_json(package_dir / "data" / "epci.json")

    membership: dict[str, tuple[str, dict[str, Any]]] = {}
    for epci in epcis:
        for member in epci["membres"]:
            if member["code"] in membership:
                raise ValueError(f"commune {member['code']} belongs to two EPCI")
            membership[member["code"]] = (epci["code"], member)

    known = {c["code"] for c in communes}
    unknown = sorted(set(membership) - known)
    if unknown:
        raise ValueError(f"EPCI members that are not current communes: {unknown[:10]}")

    commune_rows = []
    for commune in sorted(communes, key=lambda c: c["code"]):
        epci_siren, member = membership.get(commune["code"], (None, {}))
        commune_rows.append(
            [
                commune["code"],
                commune.get("siren"),
                commune["nom"],
                commune["departement"],
                commune["region"],
                commune.get("population"),
                member.get("populationTotale"),
                member.get("populationMunicipale"),
                epci_siren,
            ]
        )

    epci_rows = [
        [
            epci["code"],
            epci["nom"],
            epci["type"],
            epci["modeFinancement"],
            epci["populationMunicipale"],
            epci["populationTotale"],
            sorted(m["code"] for m in epci["membres"]),
        ]
        for epci in sorted(epcis, key=lambda e: e["code"])
    ]

    return {
        "format": FORMAT_VERSION,
        "vintage": VINTAGE,
        "source": {
            "package": package["name"],
            "version": package["version"],
            "licence": LICENCE,
        },
        "communes": {"columns": COMMUNE_COLUMNS, "rows": commune_rows},
        "epcis": {"columns": EPCI_COLUMNS, "rows": epci_rows},
    }


def encode(dataset: dict[str, Any]) -> bytes:
    """Serialise to reproducible bytes: sorted keys, no spaces, gzip without timestamp."""
    text = json.dumps(dataset, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", nargs="?", type=Path, default=DEFAULT_PACKAGE_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    if not (args.package_dir / "data" / "epci.json").is_file():
        parser.error(f"{args.package_dir} : paquet introuvable, lancez d'abord « npm ci ».")
    dataset = build(args.package_dir)
    data = encode(dataset)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    sys.stdout.write(
        f"{args.output}: {len(dataset['communes']['rows'])} communes, "
        f"{len(dataset['epcis']['rows'])} EPCI, {len(data)} octets "
        f"({dataset['source']['package']}@{dataset['source']['version']})\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
