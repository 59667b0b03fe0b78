"""An AC deduction needs each commune's attribution de compensation (CGI 1609 nonies C)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from mutualis.conventions import documents, services
from mutualis.conventions.models import ConventionVersion
from tests.conventions.factories import PDF, SENT, draft, version_of, vote


def _ac_version(world) -> ConventionVersion:  # type: ignore[no-untyped-def]
    return version_of(
        draft(world.body, [world.own_commune, world.other_commune], method="ac_deduction")
    )


def test_sending_without_attributions_is_refused_naming_the_communes(world):
    version = _ac_version(world)
    with pytest.raises(services.ConventionError) as caught:
        services.send_to_parties(version, SENT)
    assert caught.value.problems[0].field == "ac_base"
    assert world.own_commune.name in str(caught.value)
    assert "1609 nonies C" in str(caught.value)
    version.refresh_from_db()
    assert version.status == ConventionVersion.Status.DRAFT


def test_parties_page_records_attributions_then_annex_deducts_them(world, client_for):
    version = _ac_version(world)
    parties = {p.member_id: p for p in version.parties.all()}
    url = reverse("conventions:parties", args=[world.body.pk, version.convention_id])
    client = client_for(world.pooling_admin)
    page = client.get(url).content.decode()
    assert "Attribution de compensation avant imputation" in page
    data = {}
    for party in parties.values():
        data[f"units_{party.pk}"] = "0"
        data[f"weight_{party.pk}"] = "1"
    own, other = parties[world.own_commune.pk], parties[world.other_commune.pk]
    data[f"ac_{own.pk}"] = "250000.00"
    missing = client.post(url, data)
    assert missing.status_code == 200
    assert "Indiquez l&#x27;attribution de compensation de" in missing.content.decode()
    own.refresh_from_db()
    assert own.ac_base is None
    data[f"ac_{other.pk}"] = "-1200.50"
    assert client.post(url, data).status_code == 302
    own.refresh_from_db()
    assert own.ac_base == Decimal("250000.00")
    data_ = documents.document_data(version)
    assert data_.annex is not None
    assert data_.annex.total == version.charges_amount
    text = documents.annex_text(data_).plain()
    assert "CGI art. 1609 nonies C" in text and "nette" in text
    services.send_to_parties(version, SENT)


def test_attributions_follow_an_avenant(world):
    version = _ac_version(world)
    services.update_parties(
        version,
        [
            services.PartyRow(p, Decimal(0), Decimal(1), Decimal("1000"))
            for p in version.parties.all()
        ],
    )
    services.send_to_parties(version, SENT)
    for party in version.parties.all():
        services.record_deliberation(party, vote(f"D-{party.pk}"))
    services.sign(version, signed_on=date(2026, 11, 2), name="s.pdf", content=PDF)
    new = services.draft_avenant(version, reason="Nouveau périmètre")
    assert {p.ac_base for p in new.parties.all()} == {Decimal("1000")}
