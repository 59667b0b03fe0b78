"""Read helpers: versions with what their pages and documents need, in fixed queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from mutualis.conventions.analysis import Alert, alerts_for
from mutualis.conventions.models import Convention, ConventionVersion, Party

ACTIVE = ("signed", "in_force")
MAX_NOTICE_DAYS = 36 * 31


def parties_of(version: ConventionVersion) -> list[Party]:
    """Parties with their member and deliberation; the pooling body first."""
    parties = list(
        version.parties.select_related("member", "deliberation").order_by("member__name", "pk")
    )
    for party in parties:
        party.version = version  # names of the pooling body party without a query
    return sorted(parties, key=lambda p: (not p.is_pooling_body, p.name))


def current_version(convention: Convention) -> ConventionVersion:
    """The latest version; the versions list keeps the older ones."""
    version = convention.versions.order_by("-number").first()
    assert version is not None  # noqa: S101 - a convention is created with its version
    version.convention = convention
    return version


def conventions_for_member(
    qs: QuerySet[Convention], member_ids: frozenset[int]
) -> QuerySet[Convention]:
    return qs.filter(versions__parties__member_id__in=member_ids).distinct()


@dataclass(frozen=True)
class VersionAlert:
    version: ConventionVersion
    alert: Alert


def ending_within(conventions: QuerySet[Convention], today: date, days: int) -> list[VersionAlert]:
    """Active versions whose notice date or end falls within `days` of `today`."""
    versions = ConventionVersion.objects.filter(
        convention__in=conventions,
        status__in=ACTIVE,
        end_on__gte=today,
        end_on__lte=today + timedelta(days=days + MAX_NOTICE_DAYS),
    ).select_related("convention", "convention__pooling_body")
    found = [
        VersionAlert(version, alert)
        for version in versions
        for alert in alerts_for(version.end_on, version.notice_months, today, days)
    ]
    return sorted(found, key=lambda a: (a.alert.on, a.version.convention.title))
