"""The iCalendar (RFC 5545) export of the diagnostic's contract deadlines.

One all-day event per deadline (`diagnostic.deadlines`): the last day to give notice and
the end of each contract. The UID is built from the campaign, the contract and the kind
of date, so that a calendar application that imports the file again updates its events
instead of duplicating them. The `icalendar` package folds lines, escapes text and ends
lines with CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from mutualis.engine.money import format_euros
from mutualis.inventory.diagnostic.facts import Deadline

CONTENT_TYPE = "text/calendar; charset=utf-8"


def deadlines_calendar(
    deadlines: Iterable[Deadline],
    *,
    campaign_pk: int,
    title: str,
    host: str,
    stamp: datetime,
) -> bytes:
    """The .ics file of `deadlines`; `stamp` (the export time, aware) is every DTSTAMP."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mutualis//Diagnostic//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    dtstamp = stamp.astimezone(UTC)
    for deadline in deadlines:
        event = Event()
        event.add(
            "uid",
            f"mutualis-campagne-{campaign_pk}-contrat-{deadline.contract_id}-{deadline.slug}@{host}",
        )
        event.add("dtstamp", dtstamp)
        event.add("dtstart", deadline.on)
        event.add("dtend", deadline.on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add(
            "summary",
            f"{deadline.label} — {deadline.vendor} {deadline.product} ({deadline.member.name})",
        )
        event.add("description", _description(deadline))
        event.add("categories", [_("Contrats")])
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def _description(deadline: Deadline) -> str:
    lines = [
        _("Commune : %(member)s") % {"member": deadline.member.name},
        _("Contrat : %(kind)s, %(vendor)s %(product)s")
        % {"kind": deadline.kind_label, "vendor": deadline.vendor, "product": deadline.product},
        _("Coût annuel : %(cost)s") % {"cost": format_euros(deadline.yearly_cost)},
        _("Fin du contrat : %(day)s") % {"day": deadline.end_on.strftime("%d/%m/%Y")},
    ]
    if deadline.domain is not None:
        lines.insert(1, _("Domaine : %(domain)s") % {"domain": deadline.domain.name})
    if deadline.notice_by is not None:
        lines.append(
            _("Date limite de préavis : %(day)s") % {"day": deadline.notice_by.strftime("%d/%m/%Y")}
        )
    return "\n".join(lines)
