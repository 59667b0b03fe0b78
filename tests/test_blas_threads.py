"""Importing mutualis keeps BLAS to one thread unless the environment says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import mutualis, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


def _run(**overrides: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(overrides)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_one_blas_thread_by_default() -> None:
    assert _run() == "1"


def test_an_explicit_setting_wins() -> None:
    assert _run(OPENBLAS_NUM_THREADS="2") == "2"
