from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mutualis.refdata.dataset import Dataset, read_dataset

REPO_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPO_DIR / "node_modules" / "@etalab" / "decoupage-administratif"


def require_package() -> Path:
    """The npm source package; skipped locally when absent, a failure on CI."""
    if (PACKAGE_DIR / "data" / "epci.json").is_file():
        return PACKAGE_DIR
    message = f"{PACKAGE_DIR} absent : lancez « npm ci » pour tester contre la source."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return read_dataset()


@pytest.fixture(scope="session")
def source_memberships(dataset: Dataset) -> dict[str, set[str]]:
    """EPCI SIREN -> member INSEE codes, from the package's epci.json when installed."""
    path = PACKAGE_DIR / "data" / "epci.json"
    if path.is_file():
        epcis: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return {e["code"]: {m["code"] for m in e["membres"]} for e in epcis}
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} absent sur la CI : lancez « npm ci ».")
    return {siren: set(e.members) for siren, e in dataset.epcis.items()}
