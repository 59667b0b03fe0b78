"""HTML to PDF, one way for every document of the platform (WeasyPrint).

A document is rendered from a string with no base URL and a fetcher that accepts only
`data:` URLs: a PDF never reads the file system nor reaches another host, whatever text a
user typed. Images are embedded as data URLs by the callers.

Long documents report their layout page by page: WeasyPrint logs "Creating layout -
Page N" on its `weasyprint.progress` logger; `layout(..., pages=...)` listens to it for the
calling thread only, so two documents rendered at once in one process keep their counts.
`page_progress` turns those pages into a background job's progress (percent, message).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint.document import Document

PageProgress = Callable[[int], None]
"""Called with the number of the page just laid out."""

Progress = Callable[[int, str], None]
"""`progress(percent, message)`: how a background job reports (mutualis.jobs `Report`)."""

PROGRESS_STEP = 5
"""Points of progress between two reports of `page_progress` (about 20 per document)."""

PROGRESS_LOGGER = "weasyprint.progress"
_PAGE_STEP = re.compile(r"Creating layout - Page (\d+)")
_FONTS = threading.local()


class _PageListener(logging.Handler):
    def __init__(self, pages: PageProgress) -> None:
        super().__init__(logging.INFO)
        self.pages = pages
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        found = _PAGE_STEP.search(record.getMessage())
        if found:
            self.pages(int(found.group(1)))


@contextmanager
def _listening(pages: PageProgress | None) -> Iterator[None]:
    if pages is None:
        yield
        return
    logger = logging.getLogger(PROGRESS_LOGGER)
    listener = _PageListener(pages)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(listener)
    try:
        yield
    finally:
        logger.removeHandler(listener)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def page_progress(
    progress: Progress,
    expected: int,
    message: str,
    *,
    start: int,
    end: int,
    names: Mapping[str, object] | None = None,
) -> PageProgress:
    """A `pages` listener reporting from `start` to `end` % while the pages are laid out.

    It reports each time the share moved by PROGRESS_STEP points, with `message` formatted
    with `names`, `done` (pages laid out) and `expected` (the estimated page count; pages
    beyond it stay at `end`).
    """
    expected = max(expected, 1)
    last = [start]

    def page(done: int) -> None:
        percent = start + (end - start) * min(done, expected) // expected
        if percent >= last[0] + PROGRESS_STEP:
            last[0] = percent
            values = {**(names or {}), "done": done, "expected": expected}
            progress(percent, message % values)

    return page


def _font_config() -> Any:
    """This thread's FontConfiguration, built once: it costs a sixth of a one-page sheet.

    Our styles declare no @font-face, so a configuration holds nothing of a document.
    """
    config = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _FONTS.config = FontConfiguration()
    return config


def layout(html: str, *, pages: PageProgress | None = None) -> Document:
    """The laid-out document (its pages counted), before writing: `.write_pdf()` gives bytes."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    with _listening(pages):
        document: Document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(
            font_config=_font_config()
        )
    return document


def render(html: str, *, pages: PageProgress | None = None) -> bytes:
    """The PDF of an HTML document, its style parsed once however many pages it has."""
    pdf: bytes = layout(html, pages=pages).write_pdf()
    return pdf
