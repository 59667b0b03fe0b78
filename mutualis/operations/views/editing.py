"""Saving a version-locked edit form (`mutualis.locking`), shared by the edit pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms import ModelForm
from django.http import HttpRequest

from mutualis.locking import FIELD_NAME, StaleEdit
from mutualis.operations.services import OperationsError
from mutualis.territories.services import saved_version


def save_versioned(
    request: HttpRequest,
    form: ModelForm[Any],
    save: Callable[[str | None], object],
    *,
    valid: bool = True,
) -> tuple[bool, str]:
    """Validate and `save(posted version)`: (saved, version to render in the form).

    `valid` adds other parts of the page (a formset) to the form's own validation.
    A stale version or a domain refusal is shown on the form and nothing is stored."""
    posted = request.POST.get(FIELD_NAME)
    if request.method != "POST":
        return False, saved_version(form)
    if form.is_valid() and valid:
        try:
            save(posted)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return False, saved_version(form)
        except OperationsError as exc:
            form.add_error(None, str(exc))
            return False, posted if posted is not None else saved_version(form)
        return True, ""
    return False, posted if posted is not None else saved_version(form)
