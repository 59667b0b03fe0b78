"""Loading the COG 2026 dataset and looking EPCI up, on the real 35k-commune data."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mutualis.refdata.dataset import Dataset
from mutualis.refdata.models import Commune, DatasetVersion, Epci
from mutualis.refdata.services import (
    UnknownEpci,
    current_version,
    epci_members,
    get_epci,
    search_epcis,
    sync_refdata,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded(refdata):
    """The session's reference data (tests/conftest.py), loaded once and timed."""
    return refdata.version, refdata.seconds


def snapshot() -> tuple[list[tuple], list[tuple]]:
    return (
        list(Commune.objects.order_by("pk").values_list()),
        list(Epci.objects.order_by("pk").values_list()),
    )


def test_load_creates_every_commune_and_epci_quickly(loaded):
    version, elapsed = loaded
    assert Commune.objects.count() == 34_969
    assert Epci.objects.count() == 1_255
    assert (version.vintage, version.source) == (
        "COG 2026",
        "@etalab/decoupage-administratif@6.0.0",
    )
    assert (version.commune_count, version.epci_count) == (34_969, 1_255)
    assert current_version() == version
    assert elapsed < 30, f"chargement en {elapsed:.1f} s"


def test_loading_twice_changes_nothing():
    before = snapshot()
    versions = DatasetVersion.objects.count()
    result = sync_refdata()
    assert not result.changed
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert snapshot() == before
    assert DatasetVersion.objects.count() == versions


def test_load_updates_changed_rows_and_deletes_vanished_ones(dataset: Dataset):
    epci = dataset.epcis["200039063"]
    communes = {
        code: dataclasses.replace(c, epci_siren=None) if c.epci_siren == epci.siren else c
        for code, c in dataset.communes.items()
        if code != "21705"
    }
    communes["21408"] = dataclasses.replace(communes["21408"], name="Messigny")
    epcis = {siren: e for siren, e in dataset.epcis.items() if siren != epci.siren}
    changed = dataclasses.replace(dataset, communes=communes, epcis=epcis)

    result = sync_refdata(changed)

    assert (result.created, result.updated, result.deleted) == (0, 24, 2)
    assert not Epci.objects.filter(pk=epci.siren).exists()
    assert not Commune.objects.filter(pk="21705").exists()
    messigny = Commune.objects.get(pk="21408")
    assert (messigny.name, messigny.epci_id) == ("Messigny", None)
    assert current_version() == result.version

    restored = sync_refdata(dataset)
    assert (restored.created, restored.updated, restored.deleted) == (2, 24, 0)
    assert Commune.objects.get(pk="21408").epci_id == epci.siren


def test_every_epci_has_exactly_its_source_members(source_memberships):
    assert len(source_memberships) == 1_255
    for siren, codes in source_memberships.items():
        assert {c.insee_code for c in epci_members(siren)} == codes, siren


def test_cc_forets_seine_et_suzon_after_load():
    epci = get_epci("200 039 063")
    assert epci.name == "CC Forêts, Seine et Suzon"
    assert epci.get_kind_display() == "Communauté de communes"
    assert (epci.population_municipale, epci.population_totale) == (7_054, 7_189)
    members = epci_members("200039063")
    assert len(members) == 25
    assert [c.insee_code for c in members] == sorted(c.insee_code for c in members)
    messigny = next(c for c in members if c.insee_code == "21408")
    assert (messigny.name, messigny.population_totale) == ("Messigny-et-Vantoux", 1_723)
    assert sum(c.population_totale for c in members) == epci.population_totale


@pytest.mark.parametrize("siren", ["12345678", "2000390630", "20003906A", ""])
def test_malformed_siren_raises_unknown_epci_in_french(siren):
    with pytest.raises(UnknownEpci, match="Le SIREN doit comporter 9 chiffres"):
        get_epci(siren)


def test_unknown_siren_raises_unknown_epci_in_french():
    with pytest.raises(UnknownEpci) as caught:
        epci_members("999999999")
    assert str(caught.value) == "Aucun EPCI de SIREN 999999999 dans le référentiel COG 2026."
    assert caught.value.siren == "999999999"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "query", ["foret seine", "FORÊTS, Seine", "2000390", "200 039 063", "suzon"]
)
def test_search_epcis_by_name_or_siren(query):
    assert "200039063" in [e.siren for e in search_epcis(query)]


def test_search_epcis_respects_limit_and_ignores_blank_queries():
    assert len(search_epcis("communaute", limit=5)) <= 5
    assert len(search_epcis("cc", limit=5)) == 5
    assert search_epcis("  ,  ") == []


def test_refdata_load_command_prints_counts_and_vintage(capsys):
    call_command("refdata", "load")
    out = capsys.readouterr().out
    assert "Référentiel COG 2026 (@etalab/decoupage-administratif@6.0.0)" in out
    assert "34\u202f969 communes, 1\u202f255 EPCI." in out
    assert "Déjà à jour" in out


def test_refdata_show_command_prints_epci_and_members(capsys):
    call_command("refdata", "show", "200039063")
    out = capsys.readouterr().out
    assert "CC Forêts, Seine et Suzon — SIREN 200039063" in out
    assert "population totale 7\u202f189" in out
    assert "25 communes membres" in out
    assert "21408  Messigny-et-Vantoux  (population totale 1\u202f723)" in out


@pytest.mark.parametrize(
    ("siren", "message"),
    [("999999999", "Aucun EPCI de SIREN 999999999"), ("abc", "9 chiffres")],
)
def test_refdata_show_command_reports_errors_in_french(siren, message):
    with pytest.raises(CommandError, match=message):
        call_command("refdata", "show", siren)


def test_refdata_load_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Lecture du référentiel impossible"):
        call_command("refdata", "load", "--path", str(tmp_path / "absent.json.gz"))
