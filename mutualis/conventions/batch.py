"""All documents of a version in one ZIP: convention, annex and one draft deliberation per
party. A plain function with a progress callback, so that it runs unchanged as a
background task once the platform's job mechanism is merged (158 parties in seconds)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.utils.text import slugify

from mutualis.conventions.documents import (
    annex_text,
    convention_text,
    custom_template,
    deliberation_text,
    document_data,
    docx_context,
    render_annex,
    render_convention,
    render_docx,
    render_odt,
)
from mutualis.conventions.models import ConventionVersion

Progress = Callable[[int, int], None]


def build_document_pack(version: ConventionVersion, progress: Progress | None = None) -> bytes:
    """ZIP bytes; `progress(done, total)` is called after each document."""
    data = document_data(version)
    templates = {fmt: custom_template(data, "deliberation", fmt) for fmt in ("docx", "odt")}
    total = 5 + 2 * len(data.parties)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt in ("docx", "odt", "pdf"):
            archive.writestr(f"convention.{fmt}", render_convention(data, fmt))
            step()
        archive.writestr("annexe-financiere.xlsx", render_annex(data, "xlsx"))
        step()
        archive.writestr("annexe-financiere.pdf", render_annex(data, "pdf"))
        step()
        for party in data.parties:
            text = deliberation_text(data, party)
            name = f"deliberations/{slugify(party.name)}-{party.code}"
            context = docx_context(data, text, party)
            archive.writestr(f"{name}.docx", render_docx(text, context, templates["docx"]))
            step()
            archive.writestr(f"{name}.odt", render_odt(text, context, templates["odt"]))
            step()
    return buffer.getvalue()


__all__ = ["annex_text", "build_document_pack", "convention_text"]
