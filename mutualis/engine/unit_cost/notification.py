"""When the unit cost must be notified (CGCT L.1612-2; first year: signature + 3 months)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mutualis.engine.dates import add_months

BUDGET_DATE = "CGCT art. L.1612-2"


def budget_deadline(year: int, *, renewal_year: bool = False) -> date:
    """The L.1612-2 budget date for `year`: 15 April, or 30 April in a renewal year.

    A renewal year is a year in which the deliberative assemblies are renewed (e.g. the
    municipal elections); the caller knows it and says so.
    """
    return date(year, 4, 30) if renewal_year else date(year, 4, 15)


def first_year_deadline(signed_on: date) -> date:
    """Signature + 3 months (same day, or the month's last day when it has fewer)."""
    return add_months(signed_on, 3)


@dataclass(frozen=True)
class Notification:
    """When the unit cost was notified, against which deadline and why that one."""

    deadline: date
    basis: str
    notified_on: date | None = None

    @property
    def on_time(self) -> bool:
        return self.notified_on is not None and self.notified_on <= self.deadline

    @property
    def warning(self) -> str:
        """French warning for a late or missing notification ('' when on time)."""
        if self.notified_on is None:
            return (
                f"Le coût unitaire n'a pas été notifié aux bénéficiaires ; il devait l'être "
                f"au plus tard le {day_text(self.deadline)} ({self.basis})."
            )
        if self.notified_on > self.deadline:
            late = (self.notified_on - self.deadline).days
            return (
                f"Le coût unitaire a été notifié le {day_text(self.notified_on)}, soit {late} "
                f"jour(s) après la date limite du {day_text(self.deadline)} ({self.basis})."
            )
        return ""


def yearly_notification(
    year: int, notified_on: date | None, *, renewal_year: bool = False
) -> Notification:
    """Notification for a running year, due by the L.1612-2 date."""
    day = "30 avril, année de renouvellement" if renewal_year else "15 avril"
    return Notification(
        budget_deadline(year, renewal_year=renewal_year),
        f"date d'adoption du budget, {BUDGET_DATE} ({day})",
        notified_on,
    )


def first_year_notification(signed_on: date, notified_on: date | None) -> Notification:
    """Notification for the first year, due within 3 months of the signature."""
    return Notification(
        first_year_deadline(signed_on),
        f"première année : trois mois après la signature du {day_text(signed_on)}",
        notified_on,
    )


def day_text(day: date) -> str:
    return day.strftime("%d/%m/%Y")
