"""The iCalendar (.ics) export of notice and end dates of active conventions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from mutualis.conventions.analysis import notice_date
from mutualis.conventions.models import ConventionVersion


def conventions_calendar(versions: Iterable[ConventionVersion], *, host: str = "mutualis") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Mutualis//Conventions//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Échéances des conventions")
    stamp = datetime.now(tz=UTC)
    for version in versions:
        title = version.convention.title
        dates = (
            (
                "preavis",
                "Date limite de préavis",
                notice_date(version.end_on, version.notice_months),
            ),
            ("fin", "Fin de la convention", version.end_on),
        )
        for slug, label, day in dates:
            event = Event()
            event.add("uid", f"convention-{version.convention_id}-v{version.number}-{slug}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("summary", f"{label} — {title}")
            event.add(
                "description",
                f"{version.convention.form.label} ({version.label}), préavis de "
                f"{version.notice_months} mois.",
            )
            calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
