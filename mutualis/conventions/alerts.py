"""The daily alert: each pooling body's coordinators get the notice and end dates coming
within the alert window by e-mail. Run once a day by the worker (`DAILY_ALERTS`, from
`DAILY_TASKS_HOUR`), or by hand with `mutualis convention alerts`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from mutualis.accounts.models import Role
from mutualis.conventions import services
from mutualis.conventions.models import Convention
from mutualis.conventions.queries import ending_within
from mutualis.jobs.daily import DailyTask
from mutualis.territories.models import PoolingBody


@dataclass(frozen=True)
class AlertRun:
    refreshed: int
    mails: int
    alerts: int


def run_daily_alerts(on: date, days: int | None = None) -> AlertRun:
    """Move statuses on (in force, expired), then mail each body's coordinators."""
    window = days if days is not None else int(settings.CONVENTION_ALERT_DAYS)
    refreshed = services.refresh_statuses(on)
    mails = count = 0
    for body in PoolingBody.objects.filter(conventions__isnull=False).distinct():
        alerts = ending_within(Convention.objects.filter(pooling_body=body), on, window)
        if not alerts:
            continue
        recipients = sorted(
            set(
                Role.objects.filter(pooling_body=body, name=Role.Name.ADMIN)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not recipients:
            continue
        lines = [
            f"- {a.alert.on:%d/%m/%Y} : {a.alert.label} — {a.version.convention.title} "
            f"(dans {a.alert.days_left} jours)"
            for a in alerts
        ]
        send_mail(
            _("[Mutualis] %(count)s échéance(s) de convention à venir — %(body)s")
            % {"count": len(alerts), "body": body.name},
            _("Échéances des conventions de %(body)s dans les %(days)s prochains jours :\n\n")
            % {"body": body.name, "days": window}
            + "\n".join(lines),
            None,
            recipients,
        )
        mails += 1
        count += len(alerts)
    return AlertRun(refreshed, mails, count)


DAILY_ALERTS = DailyTask("conventions.alerts", run_daily_alerts)
