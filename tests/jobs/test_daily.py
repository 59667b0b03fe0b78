"""Daily tasks run by the worker's heartbeat: once a day, from DAILY_TASKS_HOUR, a failure
recorded without stopping the others; the convention alerts are one of them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from mutualis.jobs import daily, services
from mutualis.jobs.models import DailyRun
from tests.conftest import World
from tests.conventions.factories import signed

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def only_test_tasks(monkeypatch):
    monkeypatch.setattr(daily, "_TASKS", {})


@pytest.mark.django_db
@pytest.mark.usefixtures("only_test_tasks")
def test_a_daily_task_runs_once_a_day_from_its_hour(settings):
    settings.DAILY_TASKS_HOUR = 6
    days: list[date] = []
    daily.register_daily(daily.DailyTask("test.count", days.append))
    assert services.run_due_daily(datetime(2026, 12, 1, 5, 59, tzinfo=PARIS)) == []
    assert services.run_due_daily(datetime(2026, 12, 1, 6, 0, tzinfo=PARIS)) == ["test.count"]
    assert services.run_due_daily(datetime(2026, 12, 1, 23, 30, tzinfo=PARIS)) == []
    assert services.run_due_daily(datetime(2026, 12, 2, 7, 0, tzinfo=PARIS)) == ["test.count"]
    assert days == [date(2026, 12, 1), date(2026, 12, 2)]
    assert DailyRun.objects.filter(name="test.count", finished_at__isnull=False).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("only_test_tasks")
def test_a_failing_daily_task_is_recorded_and_the_others_still_run(settings):
    settings.DAILY_TASKS_HOUR = 0
    days: list[date] = []

    def broken(day: date) -> None:
        raise RuntimeError("serveur de courriel injoignable")

    daily.register_daily(daily.DailyTask("test.broken", broken))
    daily.register_daily(daily.DailyTask("test.count", days.append))
    ran = services.run_due_daily(datetime(2026, 12, 1, 8, 0, tzinfo=PARIS))
    assert ran == ["test.broken", "test.count"] and days == [date(2026, 12, 1)]
    assert DailyRun.objects.get(name="test.broken").error == "serveur de courriel injoignable"


def test_the_convention_alerts_are_mailed_once_a_day_by_the_worker(world: World, settings):
    settings.DAILY_TASKS_HOUR = 6
    settings.CONVENTION_ALERT_DAYS = 60
    assert "conventions.alerts" in daily.registered_daily()
    world.pooling_admin.email = "coordination@example.org"
    world.pooling_admin.save()
    signed(world.body, [world.own_commune], title="ADS signée")
    services.run_due_daily(datetime(2029, 6, 1, 6, 5, tzinfo=PARIS))
    services.run_due_daily(datetime(2029, 6, 1, 12, 0, tzinfo=PARIS))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["coordination@example.org"]
    assert "30/06/2029" in mail.outbox[0].body and "ADS signée" in mail.outbox[0].body
