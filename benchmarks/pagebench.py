"""Shared harness of the page benchmarks: a throwaway SQLite database with production
settings, and a timer printing median time, query count and ratio to the 1 s target."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def start_django() -> None:
    """Configure Django on a fresh SQLite database, migrated, static files collected."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    data_dir = tempfile.mkdtemp(prefix="mutualis-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="mutualis.config.settings",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        MUTUALIS_DATA_DIR=data_dir,
        DATABASE_URL=f"sqlite:///{data_dir}/bench.sqlite3",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def measure(  # type: ignore[no-untyped-def]
    client, label: str, url: str, runs: int = 7, target: float = TARGET_SECONDS
) -> None:
    """Median time of `runs` GETs after a warm-up, with the query count of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    median = statistics.median(times)
    print(
        f"{label:<45} {median * 1000:8.1f} ms  {len(queries):3d} requêtes  "
        f"ratio à la cible ({target:g} s) : {median / target:.3f}",
        flush=True,
    )
