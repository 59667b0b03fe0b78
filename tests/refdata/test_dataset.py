"""The committed dataset, checked against facts of @etalab/decoupage-administratif@6.0.0."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mutualis.refdata.dataset import DEFAULT_PATH, Dataset, DatasetError, read_dataset
from tests.refdata.conftest import REPO_DIR, require_package


def test_dataset_header_names_source_and_vintage(dataset: Dataset):
    assert dataset.vintage == "COG 2026"
    assert dataset.source.package == "@etalab/decoupage-administratif"
    assert dataset.source.version == "6.0.0"
    assert "Licence Ouverte" in dataset.source.licence


def test_dataset_holds_every_current_commune_and_epci(dataset: Dataset):
    assert len(dataset.communes) == 34_969
    assert len(dataset.epcis) == 1_255


def test_dataset_stays_small():
    assert DEFAULT_PATH.stat().st_size < 1_500_000


def test_cc_forets_seine_et_suzon_matches_the_source(dataset: Dataset):
    epci = dataset.epcis["200039063"]
    assert epci.name == "CC Forêts, Seine et Suzon"
    assert (epci.kind, epci.fiscal_regime) == ("CC", "FPU")
    assert len(epci.members) == 25
    assert epci.population_municipale == 7_054
    assert epci.population_totale == 7_189
    messigny = dataset.communes["21408"]
    assert messigny.name == "Messigny-et-Vantoux"
    assert messigny.departement == "21"
    assert messigny.population_totale == 1_723
    assert messigny.epci_siren == "200039063"


def test_epci_members_are_sorted_and_point_back_to_their_epci(dataset: Dataset):
    for siren, epci in dataset.epcis.items():
        assert list(epci.members) == sorted(epci.members)
        assert all(dataset.communes[code].epci_siren == siren for code in epci.members)
    in_an_epci = sum(1 for c in dataset.communes.values() if c.epci_siren)
    assert in_an_epci == sum(len(e.members) for e in dataset.epcis.values())


def test_dgcl_member_populations_sum_to_the_epci_totals(dataset: Dataset):
    for epci in dataset.epcis.values():
        members = [dataset.communes[code] for code in epci.members]
        assert sum(c.population_totale for c in members) == epci.population_totale
        assert sum(c.population_municipale_dgcl for c in members) == epci.population_municipale


def test_read_dataset_reports_a_missing_file_in_french(tmp_path: Path):
    with pytest.raises(DatasetError, match="introuvable"):
        read_dataset(tmp_path / "absent.json.gz")


def test_read_dataset_refuses_an_unknown_format(tmp_path: Path):
    path = tmp_path / "future.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"format": 99}).encode()))
    with pytest.raises(DatasetError, match="format 99"):
        read_dataset(path)


def test_build_script_reproduces_the_committed_dataset_byte_for_byte(tmp_path: Path):
    package_dir = require_package()
    output = tmp_path / "cog2026.json.gz"
    completed = subprocess.run(
        [sys.executable, "scripts/build_refdata.py", str(package_dir), "--output", str(output)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "34969 communes, 1255 EPCI" in completed.stdout
    assert output.read_bytes() == DEFAULT_PATH.read_bytes(), (
        "Le jeu de données commité diffère de la reconstruction : "
        "lancez « python scripts/build_refdata.py » et commitez le résultat."
    )
