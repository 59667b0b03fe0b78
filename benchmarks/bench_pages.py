"""Page timings at the largest EPCI's size (158 members), on a throwaway SQLite database.

Prints the median render time, the query count, and the ratio to the target (1 s).
"""

from __future__ import annotations

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.refdata.models import Epci  # noqa: E402
from mutualis.refdata.services import load_refdata  # noqa: E402
from mutualis.territories.services import create_pooling_body_from_epci  # noqa: E402


def main() -> None:
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
