"""Kinds of background job: each app registers the builders of its files here.

A kind is a spec object, not a name dispatched on: the job stores `kind.name`, and the
worker calls `kind.build(job, report)` to get the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mutualis.jobs.models import Job


@dataclass(frozen=True)
class JobFile:
    name: str  # the download's file name, e.g. "diagnostic-2025.pdf"
    content: bytes
    content_type: str


class JobFailed(Exception):
    """A domain failure: its message (French) is shown to the user as is."""


# report(percent, message) stores the job's progress (0–100) and a French status line.
Report = Callable[[int, str], None]
Builder = Callable[["Job", Report], JobFile]
# follow(job) → (URL, French label) of the next step once the job is done or failed (e.g.
# the preview of a workbook checked in the background), or None.
FollowUp = Callable[["Job"], tuple[str, str] | None]


@dataclass(frozen=True)
class JobKind:
    name: str  # stored in Job.kind; stable
    label: str  # French, shown on the progress page ("Rapport de diagnostic (PDF)")
    build: Builder
    follow: FollowUp | None = None


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Register `kind` (from an app's AppConfig.ready); registering a name twice is a bug."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {kind.name!r} registered twice")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    return _KINDS[name]


def registered() -> dict[str, JobKind]:
    return dict(_KINDS)
