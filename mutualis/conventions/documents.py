"""The documents of a convention: the convention, its financial annex and one draft
deliberation per party, as DOCX (docxtpl), ODT (odfdo) and PDF (WeasyPrint).

One text per legal form (`templates/conventions/documents/<form>.txt`, plain French) is
rendered by Django into `Block`s — title, article heading, paragraph, list item, table
row — and each writer lays the same blocks out with its library. A pooling body's own
DOCX template (docxtpl/Jinja) replaces the default layout: it receives the variables of
`docx_context` and the default text as the subdocument `texte`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mutualis import pdf
from mutualis.conventions.analysis import (
    Annex,
    AnnexLine,
    PartyTerms,
    Terms,
    build_annex,
    duration_months,
    notice_date,
    payments_per_year,
)
from mutualis.conventions.models import ConventionVersion, Party
from mutualis.conventions.queries import parties_of
from mutualis.engine.money import format_euros, format_number

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"docx": DOCX_TYPE, "odt": ODT_TYPE, "pdf": PDF_TYPE}


class TemplateRenderError(ValueError):
    """A pooling body's template could not be rendered; the message names the error."""


# --- blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # title | heading | paragraph | item | row
    text: str = ""
    cells: tuple[str, ...] = ()


@dataclass
class Text:
    """A rendered document: its title and blocks; rows are grouped into tables."""

    title: str
    blocks: list[Block] = field(default_factory=list)

    def groups(self) -> list[Block | list[Block]]:
        """Consecutive rows as one table (list), every other block as itself."""
        grouped: list[Block | list[Block]] = []
        for block in self.blocks:
            if block.kind == "row":
                last = grouped[-1] if grouped else None
                if isinstance(last, list):
                    last.append(block)
                    continue
                grouped.append([block])
            else:
                grouped.append(block)
        return grouped

    def plain(self) -> str:
        return "\n".join(b.text or " | ".join(b.cells) for b in self.blocks)


def parse_blocks(source: str) -> Text:
    """`# title`, `## heading`, `- item`, `| a | b |` rows; other lines join into paragraphs."""
    text = Text("")
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            text.blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            text.blocks.append(Block("heading", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            text.title = text.title or line[2:].strip()
            text.blocks.append(Block("title", line[2:].strip()))
        elif line.startswith("- "):
            flush()
            text.blocks.append(Block("item", line[2:].strip()))
        elif line.startswith("|"):
            flush()
            cells = tuple(c.strip() for c in line.strip("|").split("|"))
            text.blocks.append(Block("row", cells=cells))
        else:
            paragraph.append(line)
    flush()
    return text


# --- context ----------------------------------------------------------------------------


def _fr(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


@dataclass(frozen=True)
class PartyView:
    party: Party
    name: str
    code: str
    is_pooling_body: bool
    amount: str
    basis: str
    formula: str


@dataclass(frozen=True)
class DocumentData:
    """Everything the texts need, computed once per version (fixed number of queries)."""

    version: ConventionVersion
    parties: list[Party]
    annex: Annex | None
    annex_error: str
    references: tuple[str, ...]
    context: dict[str, Any]
    annex_lines: dict[str, AnnexLine] = field(default_factory=dict)


def _unit_cost_reference(form: str) -> str:
    """The engine's citation: D.5211-16, R.5111-1, or the decree adopted by contract."""
    from mutualis.engine.errors import EngineError
    from mutualis.engine.legal import unit_cost_reference

    try:
        return unit_cost_reference(form, contractual_choice=True)
    except EngineError:
        return "CGCT art. D.5211-16 (méthode retenue par la convention)"


def annex_for(version: ConventionVersion, parties: Sequence[Party]) -> Annex:
    form = version.convention.form
    terms = Terms(
        method=version.method,
        references=form.references_for(version.epci_kind),
        charges_amount=version.charges_amount,
        tariff_amount=version.tariff_amount,
        unit_label=version.unit_label or "unités",
        key_label=version.key_label,
        periodicity_months=version.periodicity_months,
        unit_cost_reference=_unit_cost_reference(form.code),
        year=version.start_on.year,
        convention=f"convention « {version.convention.title} »",
    )
    return build_annex(
        terms,
        [
            PartyTerms(p.code, p.name, p.forecast_units, p.key_weight, p.is_pooling_body, p.ac_base)
            for p in parties
        ],
    )


def document_data(version: ConventionVersion) -> DocumentData:
    from mutualis.engine.errors import EngineError

    convention = version.convention
    body = convention.pooling_body
    form = convention.form
    parties = parties_of(version)
    references = form.references_for(version.epci_kind)
    try:
        annex: Annex | None = annex_for(version, parties)
        annex_error = ""
    except EngineError as exc:
        annex, annex_error = None, str(exc)
    lines = {line.code: line for line in annex.lines} if annex is not None else {}
    views = []
    for p in parties:
        line = lines.get(p.code)
        views.append(
            PartyView(
                p,
                p.name,
                p.code,
                p.is_pooling_body,
                format_euros(line.amount) if line and line.billed else "",
                line.basis if line else "",
                line.formula if line else "",
            )
        )
    context = {
        "body": body,
        "convention": convention,
        "version": version,
        "form": form,
        "references": references,
        "references_text": ", ".join(references),
        "parties": views,
        "members": [v for v in views if not v.is_pooling_body],
        "annex": annex,
        "annex_error": annex_error,
        "annex_total": format_euros(annex.total) if annex else "",
        "start_on": _fr(version.start_on),
        "end_on": _fr(version.end_on),
        "sent_on": _fr(version.sent_on),
        "duration_months": duration_months(version.start_on, version.end_on),
        "notice_on": _fr(notice_date(version.end_on, version.notice_months)),
        "payments_per_year": payments_per_year(version.periodicity_months),
        "charges": format_euros(version.charges_amount)
        if version.charges_amount is not None
        else "",
        "tariff": format_number(version.tariff_amount, 2)
        if version.tariff_amount is not None
        else "",
        "staff": list(version.staff.all()),
        "is_sample": convention.is_sample,
    }
    return DocumentData(version, parties, annex, annex_error, references, context, lines)


def convention_text(data: DocumentData) -> Text:
    return parse_blocks(render_to_string(data.version.convention.form.template_name, data.context))


def annex_text(data: DocumentData) -> Text:
    return parse_blocks(render_to_string("conventions/documents/annex.txt", data.context))


def deliberation_text(data: DocumentData, party: Party) -> Text:
    line = data.annex_lines.get(party.code)
    context = {**data.context, "party": party, "line": line}
    return parse_blocks(render_to_string("conventions/documents/deliberation.txt", context))


# --- DOCX -------------------------------------------------------------------------------


def _fill_subdoc(subdoc: Any, text: Text) -> None:
    """Lay the blocks out in a python-docx document or docxtpl subdocument."""
    bullet = subdoc.styles["List Bullet"]
    for group in text.groups():
        if isinstance(group, list):
            width = max(len(b.cells) for b in group)
            table = subdoc.add_table(rows=len(group), cols=width)
            table.style = "Table Grid"
            # Row by row: `table.cell(r, c)` walks the whole table on every call.
            for row, block in zip(table.rows, group, strict=True):
                for cell, value in zip(row.cells, block.cells, strict=False):
                    cell.text = value
        elif group.kind == "title":
            continue
        elif group.kind == "heading":
            subdoc.add_heading(group.text, level=2)
        elif group.kind == "item":
            subdoc.add_paragraph(group.text, style=bullet)
        else:
            subdoc.add_paragraph(group.text)


def _plain_docx(text: Text) -> bytes:
    """The default layout written directly with python-docx: the title, then the text.

    Same output as the docxtpl layout of a custom template, at half the cost (one package
    opened, no Jinja pass), which counts for 158 deliberations.
    """
    from docx import Document

    document = Document()
    document.add_paragraph(text.title, style="Title")
    _fill_subdoc(document, text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_context(data: DocumentData, text: Text, party: Party | None = None) -> dict[str, Any]:
    """Variables offered to a DOCX template (documented in docs/conventions.md)."""
    version, convention = data.version, data.version.convention
    context: dict[str, Any] = {
        "titre": text.title,
        "intitule": convention.title,
        "structure": convention.pooling_body.name,
        "forme_juridique": convention.form.label,
        "references": ", ".join(data.references),
        "objet": version.subject,
        "date_effet": data.context["start_on"],
        "date_fin": data.context["end_on"],
        "preavis_mois": version.notice_months,
        "version": str(version.label),
        "total_annexe": data.context["annex_total"],
        "parties": [
            {"nom": p.name, "code": p.code, "montant": p.amount, "base": p.basis}
            for p in data.context["parties"]
        ],
    }
    if party is not None:
        context["partie"] = {"nom": party.name, "code": party.code}
    return context


def render_docx(text: Text, context: dict[str, Any], template: bytes | None = None) -> bytes:
    """Render with docxtpl; a custom template's Jinja or file error becomes TemplateRenderError."""
    if template is None:
        return _plain_docx(text)
    import jinja2
    from docxtpl import DocxTemplate
    from lxml import etree

    try:
        document = DocxTemplate(io.BytesIO(template))
        subdoc = document.new_subdoc()
        _fill_subdoc(subdoc, text)
        environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
        document.render({**context, "texte": subdoc}, environment, autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRenderError(
            _("Erreur de syntaxe dans le modèle (ligne %(line)s) : %(error)s")
            % {"line": exc.lineno, "error": exc.message}
        ) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateRenderError(
            _("Variable inconnue dans le modèle : %(error)s") % {"error": exc.message}
        ) from exc
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        raise TemplateRenderError(
            _("Le modèle ne peut pas être rendu : %(error)s") % {"error": exc}
        ) from exc
    except (zipfile.BadZipFile, etree.LxmlError, KeyError, ValueError) as exc:
        raise TemplateRenderError(
            _("Le fichier n'est pas un modèle DOCX lisible (%(error)s).")
            % {"error": exc.__class__.__name__}
        ) from exc
    return buffer.getvalue()


# --- ODT --------------------------------------------------------------------------------


def _odt_blocks(text: Text, *, with_title: bool) -> list[Any]:
    from odfdo import Header, Paragraph, Table

    elements: list[Any] = []
    tables = 0
    for group in text.groups():
        if isinstance(group, list):
            tables += 1
            width = max(len(b.cells) for b in group)
            rows = [list(b.cells) + [""] * (width - len(b.cells)) for b in group]
            table = Table(f"Tableau{tables}", width=width, height=len(rows))
            table.set_values(rows)
            elements.append(table)
        elif group.kind == "title":
            if with_title:
                elements.append(Header(1, group.text))
        elif group.kind == "heading":
            elements.append(Header(2, group.text))
        elif group.kind == "item":
            elements.append(Paragraph(f"• {group.text}"))
        else:
            elements.append(Paragraph(group.text))
    return elements


def render_odt(
    text: Text, context: dict[str, Any] | None = None, template: bytes | None = None
) -> bytes:
    """The default layout with odfdo, or a body's ODT template filled by odfdo."""
    if template is not None:
        from mutualis.conventions.template_files import render_odt_template

        return render_odt_template(template, context or {}, _odt_blocks(text, with_title=False))
    from odfdo import Document

    document = Document("text")
    body = document.body
    body.clear()
    for element in _odt_blocks(text, with_title=True):
        body.append(element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------


def render_pdf(text: Text, *, is_sample: bool = False) -> bytes:
    html = render_to_string(
        "conventions/documents/document.html",
        {"text": text, "groups": text.groups(), "is_sample": is_sample},
    )
    return pdf.render(html)


# --- one entry point per document --------------------------------------------------------

Renderer = Callable[[DocumentData, str], bytes]


def custom_template(data: DocumentData, kind: str, fmt: str = "docx") -> bytes | None:
    """The pooling body's own template for this legal form, document and format, if any."""
    from mutualis.conventions.models import DocumentTemplate

    if fmt not in ("docx", "odt"):
        return None
    found = DocumentTemplate.objects.filter(
        pooling_body_id=data.version.convention.pooling_body_id,
        legal_form=data.version.convention.legal_form,
        kind=kind,
        file_format=fmt,
    ).first()
    if found is None:
        return None
    with found.file.open("rb") as handle:
        content: bytes = handle.read()
    return content


def render_text(
    data: DocumentData,
    text: Text,
    fmt: str,
    *,
    template: bytes | None = None,
    party: Party | None = None,
) -> bytes:
    if fmt == "docx":
        return render_docx(text, docx_context(data, text, party), template)
    if fmt == "odt":
        return render_odt(text, docx_context(data, text, party), template)
    if fmt == "pdf":
        return render_pdf(text, is_sample=data.version.convention.is_sample)
    raise ValueError(_("Format inconnu : « %s ».") % fmt)


def render_convention(data: DocumentData, fmt: str) -> bytes:
    template = custom_template(data, "convention", fmt)
    return render_text(data, convention_text(data), fmt, template=template)


def render_annex(data: DocumentData, fmt: str) -> bytes:
    if fmt == "xlsx":
        from mutualis.conventions.annex_sheet import annex_workbook

        return annex_workbook(data)
    return render_text(data, annex_text(data), fmt)


def render_deliberation(
    data: DocumentData, party: Party, fmt: str, template: bytes | None = None
) -> bytes:
    if template is None:
        template = custom_template(data, "deliberation", fmt)
    return render_text(data, deliberation_text(data, party), fmt, template=template, party=party)


def sample_template_check(template: bytes, fmt: str = "docx") -> bytes:
    """Render an uploaded template with sample values, so errors show at upload time."""
    text = Text("Convention (exemple)", [Block("paragraph", "Texte de la convention.")])
    context = {
        "titre": text.title,
        "intitule": "Exemple",
        "structure": "Structure porteuse",
        "forme_juridique": "Service commun",
        "references": "CGCT art. L.5211-4-2",
        "objet": "Objet",
        "date_effet": "01/01/2027",
        "date_fin": "31/12/2029",
        "preavis_mois": 3,
        "version": "Convention initiale",
        "total_annexe": "1 000,00 €",
        "parties": [{"nom": "Commune", "code": "00000", "montant": "1 000,00 €", "base": "1"}],
        "partie": {"nom": "Commune", "code": "00000"},
    }
    if fmt == "odt":
        return render_odt(text, context, template)
    return render_docx(text, context, template)
