"""Statements as PDF (WeasyPrint) and Excel; the bordereau of titles as CSV and Excel.

`statements_pdf` renders every statement of a year in one document: a plain function so
that it can become a background task once the platform's task mechanism is merged (it
runs synchronously today, reporting progress through `on_progress`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string

from mutualis.operations import spreadsheets
from mutualis.operations.models import Statement, StatementLine

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

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


def _fetcher() -> URLFetcher:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def statements_html(statements: Sequence[Statement], title: str) -> str:
    return render_to_string(
        "operations/statements_pdf.html", {"statements": statements, "title": title}
    )


def statement_pdf(statement: Statement) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    html = statements_html([statement], f"État {statement.number}")
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()
    return pdf


def statements_pdf(
    statements: QuerySet[Statement] | Sequence[Statement],
    title: str,
    on_progress: Callable[[int, int], None] | None = None,
    batch: int = 40,
) -> bytes:
    """All statements in one PDF, rendered by batches so that progress can be reported."""
    from weasyprint import HTML

    if isinstance(statements, QuerySet):
        # A private QuerySet attribute, absent from django-stubs: lines prefetched already?
        prefetched = statements._prefetch_related_lookups  # type: ignore[attr-defined]
        items = list(statements if prefetched else with_lines(statements))
    else:
        items = list(statements)
    documents = []
    for start in range(0, max(len(items), 1), batch):
        chunk = items[start : start + batch]
        html = statements_html(chunk, title)
        documents.append(HTML(string=html, base_url=None, url_fetcher=_fetcher()).render())
        if on_progress:
            on_progress(min(start + batch, len(items)), len(items))
    pages = [page for document in documents for page in document.pages]
    pdf: bytes = documents[0].copy(pages).write_pdf()
    return pdf


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
