"""Bad input is refused in French with nothing stored; a signed version never changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mutualis.conventions import services
from mutualis.conventions.models import (
    Convention,
    ConventionVersion,
    Deliberation,
    SignedVersionImmutable,
)
from mutualis.conventions.services import ConventionError, DeliberationInput
from tests.conftest import World
from tests.conventions.factories import PDF, SENT, draft, signed, version_of, vote


def _fields(exc: pytest.ExceptionInfo[ConventionError]) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_an_end_before_the_start_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune], end_on=date(2026, 12, 31))
    assert _fields(exc) == {"end_on"}
    assert "précède la date d'effet" in str(exc.value)
    assert not Convention.objects.exists()


def test_a_party_outside_the_pooling_body_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune, world.foreign_commune])
    assert "Lointaine" in str(exc.value) and "n'est pas membre" in str(exc.value)
    assert not Convention.objects.exists()


def test_a_form_without_financial_terms_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune], method="")
    assert _fields(exc) == {"method"}
    assert "exige des conditions financières" in str(exc.value)


def test_a_mise_a_disposition_without_unit_of_operation_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune], "mad_ascendante", unit_label="")
    assert _fields(exc) == {"unit_label"}
    assert "unité de fonctionnement" in str(exc.value)
    assert not Convention.objects.exists()


def test_a_periodicity_over_a_year_under_the_decree_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune], "mad_descendante", periodicity_months=24)
    assert _fields(exc) == {"periodicity_months"}
    assert "D.5211-16" in str(exc.value)


def test_a_periodicity_over_a_year_is_allowed_outside_the_decree(world: World):
    convention = draft(world.body, [world.own_commune], "entente", periodicity_months=24)
    assert version_of(convention).periodicity_months == 24


def test_a_method_the_form_does_not_allow_is_refused(world: World):
    with pytest.raises(ConventionError) as exc:
        draft(world.body, [world.own_commune], "mad_ascendante", method="key")
    assert "n'est pas prévue" in str(exc.value)


def test_a_deliberation_dated_before_the_sending_is_refused(world: World):
    version = version_of(draft(world.body, [world.own_commune]))
    services.send_to_parties(version, SENT)
    party = version.parties.get(member=world.own_commune)
    early = DeliberationInput("conseil_municipal", date(2026, 9, 30), "12", 10)
    with pytest.raises(ConventionError) as exc:
        services.record_deliberation(party, early)
    assert "antérieure à la transmission" in str(exc.value)
    assert not Deliberation.objects.exists()


def test_a_deliberation_before_sending_is_refused(world: World):
    version = version_of(draft(world.body, [world.own_commune]))
    with pytest.raises(ConventionError):
        services.record_deliberation(version.parties.first(), vote())
    assert not Deliberation.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"PK\x03\x04 not a pdf", "n'est pas un fichier PDF"),
        ("scan.pdf", b"%PDF-1.4" + b"0" * 2048, "au-delà de la limite"),
    ],
)
def test_a_bad_signed_scan_is_refused(world: World, settings, name, content, message):
    settings.CONVENTION_SCAN_MAX_BYTES = 1024
    version = version_of(draft(world.body, [world.own_commune]))
    services.send_to_parties(version, SENT)
    for party in version.parties.all():
        services.record_deliberation(party, vote(f"n{party.pk}"))
    with pytest.raises(ConventionError) as exc:
        services.sign(version, signed_on=date(2026, 11, 2), name=name, content=content)
    assert message in str(exc.value)
    version.refresh_from_db()
    assert version.status == "sent" and not version.signed_scan


def test_signing_needs_every_deliberation(world: World):
    version = version_of(draft(world.body, [world.own_commune]))
    services.send_to_parties(version, SENT)
    with pytest.raises(ConventionError) as exc:
        services.sign(version, signed_on=date(2026, 11, 2), name="s.pdf", content=PDF)
    assert "Délibération manquante" in str(exc.value)


def test_signing_stores_the_scan_with_its_sha256(world: World):
    import hashlib

    version = signed(world.body, [world.own_commune])
    assert version.status == "signed"
    assert version.signed_scan_sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.signed_scan_size == len(PDF)
    with version.signed_scan.open("rb") as handle:
        assert handle.read() == PDF


def test_a_signed_version_cannot_be_modified_at_model_level(world: World):
    version = signed(world.body, [world.own_commune])
    version = ConventionVersion.objects.get(pk=version.pk)
    version.charges_amount = Decimal("1.00")
    with pytest.raises(SignedVersionImmutable):
        version.save()
    with pytest.raises(SignedVersionImmutable):
        ConventionVersion.objects.filter(pk=version.pk).update(subject="Autre objet")
    version.refresh_from_db()
    assert version.charges_amount == Decimal("412318.00")


def test_a_signed_version_cannot_be_modified_by_the_services(world: World):
    version = signed(world.body, [world.own_commune])
    with pytest.raises(ConventionError) as exc:
        services.update_terms(version, {"subject": "Autre"})
    assert "Rédigez un avenant" in str(exc.value)
    with pytest.raises(ConventionError):
        services.set_staff(version, [])
    party = version.parties.first()
    with pytest.raises(ConventionError):
        services.update_parties(version, [services.PartyRow(party, Decimal(1), Decimal(1))])
    with pytest.raises(ConventionError):
        services.record_deliberation(party, vote("autre"))
    version.refresh_from_db()
    assert version.subject.startswith("Instruction") and version.staff.count() == 1


def test_an_avenant_is_a_new_version_and_the_signed_one_stays(world: World):
    first = signed(world.body, [world.own_commune, world.other_commune])
    avenant = services.draft_avenant(first, reason="Ajout de la voirie.")
    assert avenant.number == 2 and avenant.status == "draft"
    assert avenant.parties.count() == first.parties.count() == 3
    services.update_terms(avenant, {"charges_amount": Decimal("500000.00")})
    first.refresh_from_db()
    assert first.charges_amount == Decimal("412318.00") and first.status == "signed"
    services.send_to_parties(avenant, date(2027, 3, 1))
    for party in avenant.parties.all():
        services.record_deliberation(
            party, DeliberationInput("conseil_municipal", date(2027, 3, 10), f"A{party.pk}", 9)
        )
    services.sign(avenant, signed_on=date(2027, 3, 20), name="a.pdf", content=PDF)
    first.refresh_from_db()
    assert first.status == "superseded" and first.signed_scan


def test_statuses_move_on_with_the_dates(world: World):
    version = signed(world.body, [world.own_commune])
    assert services.refresh_statuses(date(2027, 1, 1)) == 1
    version.refresh_from_db()
    assert version.status == "in_force"
    services.refresh_statuses(date(2030, 1, 1))
    version.refresh_from_db()
    assert version.status == "expired"


def test_termination_keeps_the_text(world: World):
    version = signed(world.body, [world.own_commune])
    services.terminate(version, on=date(2027, 6, 30), reason="Retrait de la commune.")
    version.refresh_from_db()
    assert version.status == "terminated" and version.subject.startswith("Instruction")
