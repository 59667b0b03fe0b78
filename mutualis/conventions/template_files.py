"""Uploaded document templates: archive checks, and the rendering of ODT templates.

A template is a ZIP (DOCX or ODT). Before any library parses it: its size, the number of
its parts, their total uncompressed size and compression ratio (zip bombs) are bounded,
encrypted parts and XML document type declarations (entity expansion) are refused, and
its main part must be there.

An ODT template is rendered with odfdo: `{{ name }}` placeholders (the scalar variables of
`documents.docx_context`, `partie.nom` with a dot) are replaced in the text, and the
paragraph holding only `{{ texte }}` is replaced by the document's text. An unknown
variable, an unclosed `{{` or a placeholder split by formatting is a named French error.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.utils.translation import gettext as _

MIB = 1024 * 1024
MAX_FILE_BYTES = 5 * MIB
MAX_PARTS = 500
MAX_UNCOMPRESSED_BYTES = 50 * MIB
MAX_RATIO = 100  # uncompressed / compressed, for parts over 1 MiB
FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
MAIN_PART = {"docx": "word/document.xml", "odt": "content.xml"}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
TEXT_PLACEHOLDER = "texte"


class TemplateFileError(ValueError):
    """An uploaded file that is not a safe template; the message is French."""


def template_format(name: str) -> str:
    """'docx' or 'odt' from the file name, else a French error."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in MAIN_PART:
        raise TemplateFileError(
            _("« %(name)s » : un modèle est un fichier .docx ou .odt.") % {"name": name}
        )
    return suffix


def check_archive(data: bytes, name: str, fmt: str) -> None:
    """Refuse an oversized, malformed, encrypted or bomb-like archive before parsing it."""
    if len(data) > MAX_FILE_BYTES:
        raise TemplateFileError(_("Le modèle dépasse 5 Mo."))
    unreadable = _("« %(name)s » n'est pas un fichier %(fmt)s lisible.") % {
        "name": name,
        "fmt": fmt.upper(),
    }
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateFileError(unreadable)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, name, fmt)
    except TemplateFileError:
        raise
    except Exception as exc:  # zlib and friends on a crafted archive: still a bad file
        raise TemplateFileError(unreadable) from exc


def _check_parts(archive: zipfile.ZipFile, name: str, fmt: str) -> None:
    parts = archive.infolist()
    total = sum(info.file_size for info in parts)
    if len(parts) > MAX_PARTS or total > MAX_UNCOMPRESSED_BYTES:
        raise TemplateFileError(
            _("« %(name)s » est trop volumineux une fois décompressé (%(size)s Mo).")
            % {"name": name, "size": total // MIB}
        )
    for info in parts:
        if info.flag_bits & 0x1:
            raise TemplateFileError(
                _("« %(name)s » est chiffré : enregistrez-le sans mot de passe.") % {"name": name}
            )
        if info.file_size > MIB and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise TemplateFileError(
                _("« %(name)s » est anormalement compressé : fichier refusé.") % {"name": name}
            )
        if info.filename.endswith(".xml") and any(m in archive.read(info) for m in FORBIDDEN):
            raise TemplateFileError(
                _("« %(name)s » contient une déclaration de type de document (DTD), refusée.")
                % {"name": name}
            )
    if MAIN_PART[fmt] not in archive.namelist():
        raise TemplateFileError(
            _("« %(name)s » n'est pas un document %(fmt)s (partie %(part)s absente).")
            % {"name": name, "fmt": fmt.upper(), "part": MAIN_PART[fmt]}
        )


def _lookup(context: dict[str, Any], name: str) -> str:
    value: Any = context
    for key in name.split("."):
        if not isinstance(value, dict) or key not in value or isinstance(value[key], list):
            raise KeyError(name)
        value = value[key]
    return str(value)


def render_odt_template(template: bytes, context: dict[str, Any], blocks: list[Any]) -> bytes:
    """Fill an ODT template with odfdo; `blocks` (odfdo elements) replace `{{ texte }}`."""
    from odfdo import Document
    from odfdo.element import PREV_SIBLING

    from mutualis.conventions.documents import TemplateRenderError

    try:
        document = Document(io.BytesIO(template))
        body = document.body
    except Exception as exc:
        raise TemplateRenderError(_("Le fichier n'est pas un modèle ODT lisible.")) from exc
    full = "\n".join(p.text_recursive for p in body.get_paragraphs())
    full += "\n".join(h.text_recursive for h in body.get_headers())
    for name in sorted(set(PLACEHOLDER.findall(full))):
        if name == TEXT_PLACEHOLDER:
            continue
        try:
            value = _lookup(context, name)
        except KeyError:
            raise TemplateRenderError(
                _("Variable inconnue dans le modèle : « %(name)s ».") % {"name": name}
            ) from None
        body.replace(r"\{\{\s*" + re.escape(name) + r"\s*\}\}", value)
    anchor = body.get_paragraph(content=r"\{\{\s*" + TEXT_PLACEHOLDER + r"\s*\}\}")
    if anchor is not None:
        for block in blocks:
            anchor.insert(block, xmlposition=PREV_SIBLING)
        anchor.delete()
    leftover = "\n".join(p.text_recursive for p in body.get_paragraphs())
    if "{{" in leftover or "}}" in leftover:
        raise TemplateRenderError(
            _(
                "Erreur de syntaxe dans le modèle : « {{ » sans « }} », ou une variable "
                "coupée par une mise en forme. Retapez-la d'un seul tenant."
            )
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
