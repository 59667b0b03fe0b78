"""Page timings at the largest EPCI's size (158 members), on a throwaway SQLite database.

Prints the median render time, the query count, and the ratio to the target (1 s).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DATA_DIR = tempfile.mkdtemp(prefix="mutualis-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="mutualis.config.settings",
    DEBUG="false",
    MUTUALIS_ALLOW_INSECURE_KEY="true",
    ALLOWED_HOSTS="testserver",
    MUTUALIS_DATA_DIR=DATA_DIR,
    DATABASE_URL=f"sqlite:///{DATA_DIR}/bench.sqlite3",
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mutualis.refdata.models import Epci  # noqa: E402
from mutualis.refdata.services import load_refdata  # noqa: E402
from mutualis.territories.services import create_pooling_body_from_epci  # noqa: E402

TARGET_SECONDS = 1.0
RUNS = 7


def measure(client: Client, label: str, url: str) -> None:
    client.get(url)  # warm caches and templates
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    median = statistics.median(times)
    print(
        f"{label:<45} {median * 1000:8.1f} ms  {len(queries):3d} requêtes  "
        f"ratio à la cible ({TARGET_SECONDS:.0f} s) : {median / TARGET_SECONDS:.3f}"
    )


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    load_refdata()
    sizes = sorted(
        ((e.communes.count(), e.siren) for e in Epci.objects.filter(kind="CA")), reverse=True
    )
    count, siren = sizes[0]
    body = create_pooling_body_from_epci(siren)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    print(f"Structure : {body.name} ({count} communes)")
    measure(client, "Page territoire (membres, populations)", f"/s/{body.pk}/")
    member = body.members.first()
    measure(client, "Fiche d'un membre", f"/s/{body.pk}/membres/{member.pk}/")
    measure(client, "Domaines", f"/s/{body.pk}/domaines/")


if __name__ == "__main__":
    main()
