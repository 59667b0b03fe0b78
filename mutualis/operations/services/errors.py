"""Domain refusals of the operations verbs, with French messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

ENGINE_VERSION = "mutualis.engine/1"


class OperationsError(ValueError):
    """A domain refusal with a French message for the user."""


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("ligne %(row)s") % {"row": self.row} if self.row else _("fichier")
        return f"{where}, {self.field} : {self.message}"


class ImportRejected(OperationsError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            _("%(count)s erreur(s) : rien n'a été importé.") % {"count": len(problems)}
        )
        self.problems = list(problems)
