"""Editing through the web: a service's convention and signature date (first-year deadline),
catalogue offers with their tariff bands, and the attribution de compensation base."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from mutualis.conventions.models import Convention, ConventionVersion
from mutualis.operations import services
from mutualis.operations.models import AcBase, Offer, SharedService, TariffBand
from mutualis.territories.models import PoolingBody
from tests.conftest import World
from tests.operations.conftest import Ops, determine, make_service

YEAR = 2026


def _convention(body: PoolingBody, signed_on: date | None = None) -> Convention:
    convention = Convention.objects.create(
        pooling_body=body, title=f"Convention ADS {body.name}", legal_form="service_commun"
    )
    ConventionVersion.objects.create(
        convention=convention,
        subject="Instruction des autorisations d'urbanisme",
        start_on=date(2026, 1, 1),
        end_on=date(2031, 12, 31),
        status="signed" if signed_on else "draft",
        signed_on=signed_on,
    )
    return convention


def _service_data(**extra: object) -> dict[str, object]:
    return {
        "name": "Instruction ADS",
        "legal_form": "service_commun",
        "billing_mode": "unit_cost",
        "unit_label": "actes",
        "frequency": "trimestrielle",
        **extra,
    }


def test_a_service_takes_its_conventions_first_signature_date(world: World, client_for):
    convention = _convention(world.body, signed_on=date(2026, 2, 10))
    client = client_for(world.finance_officer)
    response = client.post(
        reverse("operations:index", args=[world.body.pk]),
        _service_data(convention=convention.pk),
        follow=True,
    )
    service = SharedService.objects.get(name="Instruction ADS")
    assert service.convention == convention
    assert service.signed_on == date(2026, 2, 10)
    page = response.content.decode()
    assert convention.title in page and "10/02/2026" in page


def test_another_bodys_convention_is_refused_naming_the_field(world: World, client_for):
    foreign = _convention(world.other_body)
    response = client_for(world.finance_officer).post(
        reverse("operations:index", args=[world.body.pk]), _service_data(convention=foreign.pk)
    )
    assert response.status_code == 200
    assert "Convention : choisissez une convention de cette structure." in (
        response.content.decode()
    )
    assert not SharedService.objects.exists()


def test_the_first_year_deadline_is_three_months_after_signature(world: World) -> None:
    """Signed 10/02/2026: due 10/05/2026 (D.5211-16), not the 30/04/2026 budget date."""
    service = make_service(world, signed_on=date(2026, 2, 10))
    notice = determine(service)
    assert notice.deadline_on == date(2026, 5, 10)
    notice = services.notify_unit_cost(notice, date(2026, 5, 4))
    assert not notice.is_late
    assert "trois mois après la signature" in str(notice.explanation)


def test_a_late_first_year_notification_shows_the_warning(world: World, client_for):
    service = make_service(world, signed_on=date(2026, 2, 10))
    determine(service)
    client = client_for(world.finance_officer)
    url = reverse("operations:service", args=[world.body.pk, service.pk, YEAR])
    page = client.post(
        url, {"action": "notify", "notify-notified_on": "2026-05-11"}, follow=True
    ).content.decode()
    assert "postérieure à la date limite du 10/05/2026" in page
    assert "première année : trois mois après la signature du 10/02/2026" in page


def test_the_next_year_uses_the_budget_date_again(world: World) -> None:
    service = make_service(world, signed_on=date(2025, 11, 11))
    assert services.notice_for(service, 2026).deadline_on == date(2026, 4, 30)


def test_editing_the_signature_moves_the_open_deadline(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:service_edit", args=[ops.world.body.pk, ops.service.pk])
    version = client.get(url).context["version"]
    data = _service_data(
        name=ops.service.name, signed_on="2026-03-01", imputation="70846", version=version
    )
    assert client.post(url, data).status_code == 302
    ops.notice.refresh_from_db()
    assert ops.notice.deadline_on == date(2026, 6, 1)


def test_a_stale_service_edit_stores_nothing(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:service_edit", args=[ops.world.body.pk, ops.service.pk])
    version = client.get(url).context["version"]
    SharedService.objects.filter(pk=ops.service.pk).update(unit_label="dossiers")
    response = client.post(url, _service_data(name="Autre nom", version=version))
    assert "a été modifiée par quelqu" in response.content.decode()
    ops.service.refresh_from_db()
    assert ops.service.name != "Autre nom"


def _offer_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "sig2",
        "name": "SIG v2",
        "category": "gis",
        "tariff_model": "bands_flat",
        "population_key": "population_municipale",
        "bands-TOTAL_FORMS": "3",
        "bands-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_an_offer_with_its_bands_is_created_on_the_web(world: World, client_for):
    client = client_for(world.finance_officer)
    response = client.post(
        reverse("operations:offer_create", args=[world.body.pk]),
        _offer_data(
            **{
                "bands-0-lower": "0",
                "bands-0-upper": "2000",
                "bands-0-value": "800",
                "bands-1-lower": "2000",
                "bands-1-value": "2500",
            }
        ),
    )
    assert response.status_code == 302
    offer = Offer.objects.get(code="sig2")
    assert list(offer.bands.values_list("lower", "upper", "value")) == [
        (0, 2000, Decimal("800.0000")),
        (2000, None, Decimal("2500.0000")),
    ]


def test_overlapping_bands_are_refused_and_nothing_is_stored(world: World, client_for):
    response = client_for(world.finance_officer).post(
        reverse("operations:offer_create", args=[world.body.pk]),
        _offer_data(
            **{
                "bands-0-lower": "0",
                "bands-0-upper": "3000",
                "bands-0-value": "800",
                "bands-1-lower": "2000",
                "bands-1-value": "2500",
            }
        ),
    )
    assert response.status_code == 200
    assert "chevauchent" in response.content.decode()
    assert not Offer.objects.filter(code="sig2").exists()
    assert not TariffBand.objects.exists()


def test_offer_ranges_are_checked_naming_the_field(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:offer_create", args=[ops.world.body.pk])
    cases = [
        (
            {
                "tariff_model": "flat",
                "amount": "100",
                "minimum_amount": "50",
                "maximum_amount": "10",
            },
            "Maximum annuel : il doit être supérieur ou égal au minimum.",
        ),
        ({"tariff_model": "flat", "amount": "-5"}, "supérieure ou égale à 0"),
        ({"code": "sig", "tariff_model": "flat", "amount": "5"}, "Code : « sig » est déjà"),
        (
            {"bands-0-lower": "500", "bands-0-upper": "100", "bands-0-value": "1"},
            "Jusqu&#x27;à : la borne haute doit dépasser la borne basse.",
        ),
    ]
    for extra, message in cases:
        response = client.post(url, _offer_data(**extra))
        assert message in response.content.decode(), message
    assert Offer.objects.count() == 1


def test_an_offer_edit_is_version_locked(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:offer_edit", args=[ops.world.body.pk, ops.offer.pk])
    version = client.get(url).context["version"]
    Offer.objects.filter(pk=ops.offer.pk).update(name="SIG renommé ailleurs")
    bands = list(ops.offer.bands.all())
    data = _offer_data(
        code="sig",
        name="SIG mutualisé 2",
        version=version,
        **{"bands-INITIAL_FORMS": "2"},
    )
    for i, band in enumerate(bands):
        data.update(
            {
                f"bands-{i}-id": str(band.pk),
                f"bands-{i}-lower": str(band.lower),
                f"bands-{i}-upper": "" if band.upper is None else str(band.upper),
                f"bands-{i}-value": str(band.value),
            }
        )
    response = client.post(url, data)
    assert "a été modifiée par quelqu" in response.content.decode()
    ops.offer.refresh_from_db()
    assert ops.offer.name == "SIG renommé ailleurs"
    data["version"] = response.context["version"]
    assert client.post(url, data).status_code == 302
    ops.offer.refresh_from_db()
    assert ops.offer.name == "SIG mutualisé 2"


def test_the_ac_base_is_entered_and_edited_on_the_web(world: World, client_for):
    client = client_for(world.finance_officer)
    url = reverse("operations:ac_base_edit", args=[world.body.pk, YEAR, world.own_commune.pk])
    data = {"amount": "120000.50", "source": "rapport CLECT 2025", "version": ""}
    assert client.post(url, data).status_code == 302
    base = AcBase.objects.get(member=world.own_commune, year=YEAR)
    assert base.amount == Decimal("120000.50")
    page = client.get(reverse("operations:ac", args=[world.body.pk, YEAR])).content.decode()
    assert "rapport CLECT 2025" in page
    version = client.get(url).context["version"]
    assert client.post(url, {**data, "amount": "-3000", "version": version}).status_code == 302
    base.refresh_from_db()
    assert base.amount == Decimal("-3000.00")


def test_an_out_of_range_ac_base_is_refused_naming_the_field(world: World, client_for):
    client = client_for(world.finance_officer)
    url = reverse("operations:ac_base_edit", args=[world.body.pk, YEAR, world.own_commune.pk])
    response = client.post(url, {"amount": "1000000000000", "source": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "attribution de compensation avant imputation" in page.lower()
    assert not AcBase.objects.exists()
    response = client.post(url, {"amount": "douze", "source": ""})
    assert "Saisissez un nombre" in response.content.decode()
    assert not AcBase.objects.exists()
