"""Daily tasks: each app registers what must run once a day (e.g. the convention alerts);
the worker's heartbeat runs each one once per day, from `DAILY_TASKS_HOUR` on.

Like job kinds, a task is a spec object registered from an app's AppConfig.ready, so
that `jobs` stays below the apps that use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DailyTask:
    name: str  # stored in DailyRun.name; stable
    run: Callable[[date], object]


_TASKS: dict[str, DailyTask] = {}


def register_daily(task: DailyTask) -> DailyTask:
    existing = _TASKS.get(task.name)
    if existing is not None and existing != task:
        raise ValueError(f"daily task {task.name!r} registered twice")
    _TASKS[task.name] = task
    return task


def registered_daily() -> dict[str, DailyTask]:
    return dict(_TASKS)
