"""The campaign rights, computed once: read and export scope, import scope."""

from __future__ import annotations

from mutualis.accounts.access import Abilities
from mutualis.inventory.access import campaign_rights


class FakeMember:
    def __init__(self, pk: int) -> None:
        self.pk = pk


def test_an_administrator_reads_and_imports_everything():
    rights = campaign_rights(Abilities(frozenset({"admin"}), frozenset()))
    assert rights.read_scope is None and rights.import_scope is None
    assert rights.can_export and rights.can_import and not rights.is_scoped


def test_a_referent_reads_and_imports_their_commune_only():
    rights = campaign_rights(Abilities(frozenset({"referent"}), frozenset({7})))
    assert rights.read_scope == rights.import_scope == frozenset({7})
    assert rights.can_read(FakeMember(7)) and not rights.can_read(FakeMember(8))
    assert rights.is_scoped


def test_finance_and_referent_exports_the_body_and_imports_the_commune():
    rights = campaign_rights(Abilities(frozenset({"finance", "referent"}), frozenset({7})))
    assert rights.read_scope is None
    assert rights.import_scope == frozenset({7})
    assert rights.can_read(FakeMember(8))


def test_a_viewer_exports_but_never_imports():
    rights = campaign_rights(Abilities(frozenset({"viewer"}), frozenset()))
    assert rights.can_export and not rights.can_import
