"""For each legal form: DOCX and ODT open with python-docx and odfdo and carry the parties,
amounts, dates and legal references; the PDF renders; a custom template is used."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdfDocument

from mutualis.conventions import documents
from mutualis.conventions.batch import build_document_pack
from mutualis.conventions.legal_forms import LEGAL_FORMS
from mutualis.engine.money import format_euros
from tests.conftest import World
from tests.conventions.factories import draft, version_of

FORMS = sorted(LEGAL_FORMS)


def docx_text(content: bytes) -> str:
    document = DocxDocument(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def odt_text(content: bytes) -> str:
    return OdfDocument(io.BytesIO(content)).get_formatted_text()


def _data(world: World, legal_form: str, **kwargs):  # type: ignore[no-untyped-def]
    convention = draft(world.body, [world.own_commune, world.other_commune], legal_form, **kwargs)
    return documents.document_data(version_of(convention))


def _expected(data) -> list[str]:  # type: ignore[no-untyped-def]
    assert data.annex is not None, data.annex_error
    amounts = [format_euros(line.amount) for line in data.annex.billed_lines]
    return [
        "Saint-Essai",
        "Bourg-Témoin",
        "CC du Val de Test",
        "01/01/2027",
        "31/12/2029",
        *data.references,
        *amounts,
    ]


def _normalise(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.mark.parametrize("legal_form", FORMS)
def test_docx_of_each_form_carries_parties_amounts_dates_and_references(world, legal_form):
    data = _data(world, legal_form)
    text = _normalise(docx_text(documents.render_convention(data, "docx")))
    for expected in _expected(data):
        assert _normalise(expected) in text, expected


@pytest.mark.parametrize("legal_form", FORMS)
def test_odt_of_each_form_carries_parties_amounts_dates_and_references(world, legal_form):
    data = _data(world, legal_form)
    text = _normalise(odt_text(documents.render_convention(data, "odt")))
    for expected in _expected(data):
        assert _normalise(expected) in text, expected


@pytest.mark.parametrize("legal_form", FORMS)
def test_pdf_of_each_form_renders(world, legal_form):
    data = _data(world, legal_form)
    content = documents.render_convention(data, "pdf")
    assert content.startswith(b"%PDF-")
    assert len(content) > 5000


def test_prestation_cites_the_article_of_the_epci_kind(world):
    data = _data(world, "prestation", epci_kind="CA")
    assert data.references == ("CGCT art. L.5216-7-1",)
    text = docx_text(documents.render_convention(data, "docx"))
    assert "L.5216-7-1" in text and "L.5214-16-1" not in text


def test_deliberation_names_the_party_and_its_amount(world):
    data = _data(world, "mad_descendante")
    party = next(p for p in data.parties if p.member_id == world.own_commune.pk)
    line = data.annex.line(party.code)
    text = _normalise(docx_text(documents.render_deliberation(data, party, "docx")))
    assert "Conseil municipal de Saint-Essai" in text
    assert _normalise(format_euros(line.amount)) in text
    assert "CGCT art. D.5211-16" in text
    assert "Saint-Essai" in _normalise(odt_text(documents.render_deliberation(data, party, "odt")))


def test_annex_documents_explain_each_amount_with_its_reference(world):
    data = _data(world, "mad_ascendante")
    text = _normalise(docx_text(documents.render_annex(data, "docx")))
    assert "Coût unitaire de fonctionnement" in text
    assert "CGCT art. D.5211-16" in text
    for line in data.annex.lines:
        assert _normalise(line.formula) in text


def test_pack_holds_convention_annex_and_one_deliberation_per_party(world):
    version = version_of(draft(world.body, [world.own_commune, world.other_commune]))
    steps = []
    content = build_document_pack(version, progress=lambda done, total: steps.append((done, total)))
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert {"convention.docx", "convention.odt", "convention.pdf", "annexe-financiere.xlsx"} <= set(
        names
    )
    assert len([n for n in names if n.startswith("deliberations/") and n.endswith(".docx")]) == 3
    assert steps[-1] == (len(names), len(names))


def test_text_is_escaped_in_docx(world):
    data = _data(world, "entente", title="Entente <voirie> & fossés")
    text = docx_text(documents.render_convention(data, "docx"))
    assert "Entente <voirie> & fossés" in text
