"""A pooling body's own ODT template (odfdo), and the checks on any uploaded template."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from odfdo import Document, Paragraph

from mutualis.conventions.models import DocumentTemplate
from tests.conventions.factories import draft


def _odt(*lines: str) -> bytes:
    document = Document("text")
    document.body.clear()
    for line in lines:
        document.body.append(Paragraph(line))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _upload(client, world, name: str, content: bytes, kind: str = "convention"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("conventions:templates", args=[world.body.pk]),
        {"legal_form": "entente", "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text_recursive for p in document.body.get_paragraphs()]
    parts += [h.text_recursive for h in document.body.get_headers()]
    parts += [str(v) for t in document.body.get_tables() for row in t.get_values() for v in row]
    return "\n".join(parts)


def test_an_odt_template_overrides_the_default_odt_only(world, client_for):
    client = client_for(world.pooling_admin)
    template = _odt("EN-TÊTE {{ structure }} — {{ intitule }}", "{{ texte }}", "Fin.")
    assert _upload(client, world, "m.odt", template).status_code == 302
    stored = DocumentTemplate.objects.get()
    assert stored.file_format == "odt" and stored.file.name.endswith(".odt")
    convention = draft(world.body, [world.own_commune], "entente", title="Entente voirie")
    url = reverse(
        "conventions:document", args=[world.body.pk, convention.pk, 1, "convention", "odt"]
    )
    text = _text(client.get(url).content)
    assert "EN-TÊTE CC du Val de Test — Entente voirie" in text
    assert "CGCT art. L.5221-1" in text and "{{" not in text and "Fin." in text
    docx = reverse(
        "conventions:document", args=[world.body.pk, convention.pk, 1, "convention", "docx"]
    )
    assert client.get(docx).status_code == 200  # the DOCX keeps its default layout


def test_an_odt_deliberation_template_names_the_party(world, client_for):
    client = client_for(world.pooling_admin)
    _upload(
        client, world, "d.odt", _odt("Commune : {{ partie.nom }}", "{{ texte }}"), "deliberation"
    )
    convention = draft(world.body, [world.own_commune], "entente")
    party = convention.versions.get().parties.get(member=world.own_commune)
    url = reverse(
        "conventions:deliberation_document",
        args=[world.body.pk, convention.pk, 1, party.pk, "odt"],
    )
    assert f"Commune : {world.own_commune.name}" in _text(client.get(url).content)


def test_bad_odt_templates_are_refused_with_their_error(world, client_for):
    client = client_for(world.pooling_admin)
    unknown = _upload(client, world, "m.odt", _odt("{{ inconnue }}")).content.decode()
    assert "ne peut pas servir de modèle" in unknown and "inconnue" in unknown
    unclosed = _upload(client, world, "m.odt", _odt("{{ structure ")).content.decode()
    assert "syntaxe" in unclosed
    broken = _upload(client, world, "m.odt", b"PK pas un odt").content.decode()
    assert "ODT lisible" in broken
    other = _upload(client, world, "m.pdf", b"%PDF").content.decode()
    assert ".docx ou .odt" in other
    assert not DocumentTemplate.objects.exists()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bombs_and_dtds_are_refused_before_parsing(world, client_for):
    client = client_for(world.pooling_admin)
    bomb = _zip({"content.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"})
    page = _upload(client, world, "bombe.odt", bomb).content.decode()
    assert "trop volumineux une fois décompressé" in page
    ratio = _zip({"content.xml": b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>"})
    assert "anormalement compressé" in _upload(client, world, "r.odt", ratio).content.decode()
    dtd = _zip({"word/document.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'})
    assert "DTD" in _upload(client, world, "e.docx", dtd).content.decode()
    missing = _zip({"autre.xml": b"<x/>"})
    assert "content.xml absente" in _upload(client, world, "v.odt", missing).content.decode()
    assert not DocumentTemplate.objects.exists()
