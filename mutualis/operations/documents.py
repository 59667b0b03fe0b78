"""Statements as PDF (WeasyPrint) and Excel; the bordereau of titles as CSV and Excel.

`statements_pdf` renders every statement of a year as one HTML document laid out by
WeasyPrint in one pass (the background job `operations.statements_pdf` and the CLI call
it, following its progress through `on_progress`); `statement_pdf` renders one statement
with the same template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mutualis import pdf
from mutualis.operations import analysis, spreadsheets
from mutualis.operations.models import Statement, StatementLine

LINE_HEADERS = (
    "Numéro",
    "Membre",
    "Code",
    "Période",
    "Nature",
    "Statut",
    "Ligne",
    "Quantité",
    "Unité",
    "Prix unitaire",
    "Calcul",
    "Montant",
    "Imputation",
)
TITLE_HEADERS = ("Débiteur", "SIREN", "Objet", "Montant", "Période", "Imputation", "État")


def with_lines(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    return statements.select_related("member", "corrects", "pooling_body").prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.order_by("pk"))
    )


@dataclass(frozen=True)
class PrintedLine:
    """A statement line as printed: its common explanation's number and its own steps."""

    line: StatementLine
    common: int | None
    steps: list[Mapping[str, str]]

    @property
    def text(self) -> str:
        text = analysis.line_text(self.line.label, self.line.formula, self.line.amount)
        if self.common:
            text += " " + _("(explication n° %(n)s)") % {"n": self.common}
        return text

    @property
    def step_texts(self) -> list[str]:
        return [f"{n}. {analysis.step_text(step)}" for n, step in enumerate(self.steps, 1)]


@dataclass(frozen=True)
class PrintedStatement:
    statement: Statement
    lines: list[PrintedLine]


def _restates(step: Mapping[str, str], line: StatementLine) -> bool:
    return bool(line.formula) and step.get("formula") == line.formula


Progress = pdf.Progress
"""`on_progress(percent, message)`: the share of the document done, and what is done."""


LINES_PER_PAGE = 60
"""About how many lines of text an A4 page of the template holds (for progress only)."""


@dataclass(frozen=True)
class PrintedDocument:
    statements: list[PrintedStatement]
    common: list[list[Mapping[str, str]]]

    def expected_pages(self) -> int:
        """An estimate of the page count, from the lines of text to print."""
        pages = sum(
            1 + (8 + sum(1 + len(line.steps) for line in p.lines)) // LINES_PER_PAGE
            for p in self.statements
        )
        if self.common:
            pages += 1 + sum(2 + len(steps) for steps in self.common) // LINES_PER_PAGE
        return pages


def printed(statements: Sequence[Statement]) -> PrintedDocument:
    """The statements as printed. The steps found in the statements of several members
    (a service's notified unit cost, the rounding rule) are printed once, as numbered
    common explanations that the lines cite; one statement alone (or one member's)
    prints every step on its line."""
    factored = analysis.factor_steps(
        [
            (s.member_id, (line.explanation or {}).get("steps", []))
            for s in statements
            for line in s.lines.all()
        ]
    )
    result: list[PrintedStatement] = []
    position = 0
    for s in statements:
        lines = []
        for line in s.lines.all():
            common, steps = factored.lines[position]
            # The step stating the line itself (member: formula = amount) is the row.
            own = [step for step in steps if not _restates(step, line)]
            lines.append(PrintedLine(line, common, own))
            position += 1
        result.append(PrintedStatement(s, lines))
    return PrintedDocument(result, factored.common)


def statements_html(document: PrintedDocument, title: str) -> str:
    """One HTML document for all statements, one page break between them."""
    return render_to_string(
        "operations/statements_pdf.html",
        {
            "statements": document.statements,
            "common": [
                [f"{n}. {analysis.step_text(step)}" for n, step in enumerate(steps, 1)]
                for steps in document.common
            ],
            "title": title,
        },
    )


def _render(html: str, expected_pages: int, on_progress: Progress | None) -> bytes:
    if on_progress is None:
        return pdf.render(html)
    pages = pdf.page_progress(
        on_progress,
        expected_pages,
        _("%(done)s pages mises en page (environ %(expected)s attendues)."),
        start=10,
        end=90,
    )
    laid_out = pdf.layout(html, pages=pages)
    on_progress(92, _("%(n)s pages mises en page ; écriture du PDF.") % {"n": len(laid_out.pages)})
    data: bytes = laid_out.write_pdf()
    return data


def statement_pdf(statement: Statement) -> bytes:
    return _render(statements_html(printed([statement]), f"État {statement.number}"), 1, None)


def statements_pdf(
    statements: QuerySet[Statement] | Sequence[Statement],
    title: str,
    on_progress: Progress | None = None,
) -> bytes:
    """All statements in one PDF: one HTML document (its CSS parsed once), laid out in
    one pass; progress is reported while the pages are laid out."""
    if isinstance(statements, QuerySet):
        # A private QuerySet attribute, absent from django-stubs: lines prefetched already?
        prefetched = statements._prefetch_related_lookups  # type: ignore[attr-defined]
        items = list(statements if prefetched else with_lines(statements))
    else:
        items = list(statements)
    document = printed(items)
    html = statements_html(document, title)
    if on_progress:
        on_progress(5, _("%(n)s états préparés pour la mise en page.") % {"n": len(items)})
    return _render(html, document.expected_pages(), on_progress)


def _line_rows(statements: Iterable[Statement]) -> Iterable[list[object]]:
    for s in statements:
        for line in s.lines.all():
            yield [
                s.number,
                s.member.name,
                s.member.code,
                s.period_label,
                s.get_kind_display(),
                s.get_status_display(),
                line.label,
                line.quantity,
                line.unit_label,
                line.rate,
                line.formula,
                line.amount,
                line.imputation,
            ]


def statements_xlsx(statements: Iterable[Statement], title: str = "États") -> bytes:
    return spreadsheets.table_workbook(title, LINE_HEADERS, _line_rows(statements), (11,))


@dataclass(frozen=True)
class Title:
    debtor: str
    siren: str
    subject: str
    amount: Decimal
    period: str
    imputation: str
    number: str

    def row(self) -> list[object]:
        return [
            self.debtor,
            self.siren,
            self.subject,
            self.amount,
            self.period,
            self.imputation,
            self.number,
        ]


def titles(statements: Iterable[Statement]) -> list[Title]:
    """One title per issued statement and accounting imputation (lines summed)."""
    result = []
    for s in statements:
        by_imputation: dict[str, Decimal] = {}
        for line in s.lines.all():
            by_imputation[line.imputation] = (
                by_imputation.get(line.imputation, Decimal(0)) + line.amount
            )
        for imputation, amount in sorted(by_imputation.items()):
            if not amount:
                continue
            subject = f"{s.get_kind_display()} {s.number}"
            if s.corrects is not None:
                subject += f" (rectifie {s.corrects.number})"
            result.append(
                Title(
                    s.member.name,
                    s.member.siren,
                    subject,
                    amount,
                    s.period_label,
                    imputation,
                    s.number,
                )
            )
    return result


def titles_csv(statements: Iterable[Statement]) -> bytes:
    return spreadsheets.csv_bytes(TITLE_HEADERS, (t.row() for t in titles(statements)))


def titles_xlsx(statements: Iterable[Statement]) -> bytes:
    return spreadsheets.table_workbook(
        "Bordereau des titres", TITLE_HEADERS, (t.row() for t in titles(statements)), (3,)
    )
