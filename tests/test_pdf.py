"""The shared HTML-to-PDF renderer: local only, page progress per thread."""

from __future__ import annotations

import logging
import threading

import pytest

from mutualis import pdf

PAGES = "".join(f'<p style="page-break-after: always">Page {n}</p>' for n in range(1, 4))


def test_a_document_of_three_pages_reports_each_page_in_order() -> None:
    seen: list[int] = []
    data = pdf.render(f"<html><body>{PAGES}</body></html>", pages=seen.append)
    assert data.startswith(b"%PDF")
    assert seen == [1, 2, 3]


def test_the_progress_logger_is_given_back_as_it_was() -> None:
    logger = logging.getLogger(pdf.PROGRESS_LOGGER)
    before = logger.level, logger.propagate, list(logger.handlers)
    pdf.render(f"<body>{PAGES}</body>", pages=lambda page: None)
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_two_documents_rendered_at_once_keep_their_own_page_counts() -> None:
    seen: dict[str, list[int]] = {"short": [], "long": []}
    long = "".join(f'<p style="page-break-after: always">{n}</p>' for n in range(1, 13))

    def render(name: str, html: str) -> None:
        pdf.render(html, pages=seen[name].append)

    threads = [
        threading.Thread(target=render, args=("short", f"<body>{PAGES}</body>")),
        threading.Thread(target=render, args=("long", f"<body>{long}</body>")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"short": [1, 2, 3], "long": list(range(1, 13))}


def test_page_progress_reports_every_five_points_from_start_to_end() -> None:
    seen: list[tuple[int, str]] = []
    pages = pdf.page_progress(
        lambda percent, message: seen.append((percent, message)),
        20,
        "%(what)s : %(done)s pages sur %(expected)s",
        start=10,
        end=90,
        names={"what": "États"},
    )
    for page in range(1, 23):  # two pages more than expected: they stay at the end
        pages(page)
    assert [percent for percent, _ in seen] == list(range(18, 91, 8))
    assert seen[-1] == (90, "États : 20 pages sur 20")


def test_page_progress_of_a_document_shorter_than_a_step_reports_its_pages() -> None:
    seen: list[int] = []
    pages = pdf.page_progress(lambda p, m: seen.append(p), 0, "%(done)s", start=50, end=95)
    pages(1)
    assert seen == [95]


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("file:///etc/hostname", "disallowed protocol"),
        ("http://example.invalid/logo.png", "disallowed protocol"),
        ("/etc/hostname", "without a base URI"),
    ],
)
def test_a_document_never_reads_files_nor_other_hosts(
    source: str, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    html = f'<link rel="stylesheet" href="{source}"><p>Logo</p><img src="{source}">'
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        assert pdf.render(html).startswith(b"%PDF")
    refusals = [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    assert len(refusals) == 2 and all(why in message for message in refusals), refusals
