"""The engine and the sheets layer import without Django: a meta-path finder makes
`import django` fail. Their modules are discovered, not listed.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import textwrap


def _modules(package: str) -> list[str]:
    """Every module of `package`, found on disk: a new engine module is checked unasked."""
    root = importlib.import_module(package)
    found = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        found.append(info.name)
    return found


ENGINE_MODULES = _modules("mutualis.engine")
SHEETS_MODULES = _modules("mutualis.sheets")

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
        [sys.executable, "-c", SCRIPT, *ENGINE_MODULES, *SHEETS_MODULES],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_discovery_finds_the_engine_and_sheets_modules() -> None:
    assert {"mutualis.engine.money", "mutualis.engine.dates", "mutualis.engine.games"} <= set(
        ENGINE_MODULES
    )
    assert "mutualis.sheets.safety" in SHEETS_MODULES
