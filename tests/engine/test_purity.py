"""The engine imports without Django: a meta-path finder makes `import django` fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap

ENGINE_MODULES = [
    "mutualis.engine",
    "mutualis.engine.money",
    "mutualis.engine.errors",
    "mutualis.engine.explain",
    "mutualis.engine.keys",
    "mutualis.engine.reimbursement",
    "mutualis.engine.annualised",
    "mutualis.engine.projection",
]

SCRIPT = textwrap.dedent(
    """
    import importlib, sys

    class NoDjango:
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ImportError("django is forbidden in the engine")
            return None

    sys.meta_path.insert(0, NoDjango())
    for name in sys.argv[1:]:
        importlib.import_module(name)
    assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
    print("ok")
    """
)


def test_engine_imports_without_django() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *ENGINE_MODULES],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
