"""Statuses (draft → validated → issued → paid), freezing and corrective statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.money import D, format_euros
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    Usage,
)
from mutualis.operations.models import (
    FrozenStatement,
    SharedService,
    Statement,
    StatementLine,
)
from mutualis.operations.services.billing import Draft, create_statement
from mutualis.operations.services.cycle import determination_of
from mutualis.operations.services.errors import ENGINE_VERSION, OperationsError

# --- statuses, freezing and corrections ----------------------------------------------


TRANSITIONS = {
    "validate": (Statement.Status.DRAFT, Statement.Status.VALIDATED),
    "issue": (Statement.Status.VALIDATED, Statement.Status.ISSUED),
    "pay": (Statement.Status.ISSUED, Statement.Status.PAID),
}


@transaction.atomic
def change_status(statement: Statement, action: str, *, on: date | None = None) -> Statement:
    """draft → validated → issued → paid; issuing freezes the statement with a snapshot."""
    if action not in TRANSITIONS:
        raise OperationsError(_("Action inconnue."))
    source, target = TRANSITIONS[action]
    if statement.status != source:
        raise OperationsError(
            _("L'état %(n)s est « %(s)s » : action impossible.")
            % {"n": statement.number, "s": statement.get_status_display()}
        )
    statement.status = target
    if target == Statement.Status.ISSUED:
        statement.issued_at = timezone.now()
        statement.snapshot = {
            "engine": ENGINE_VERSION,
            "issued_at": statement.issued_at.isoformat(),
            "total": str(statement.total_amount),
            "lines": [
                {
                    "label": line.label,
                    "quantity": str(line.quantity),
                    "rate": str(line.rate),
                    "amount": str(line.amount),
                    "formula": line.formula,
                }
                for line in statement.lines.all()
            ],
        }
    if target == Statement.Status.PAID:
        statement.paid_on = on or timezone.localdate()
    statement.save()
    return statement


@transaction.atomic
def delete_draft(statement: Statement) -> None:
    if statement.status != Statement.Status.DRAFT:
        raise (
            FrozenStatement(statement.number)
            if statement.is_frozen
            else OperationsError(_("Seul un brouillon peut être supprimé."))
        )
    statement.delete()


def _corrected_due(statement: Statement, line: StatementLine, usage: Usage) -> analysis.Due:
    """A decree line is re-billed at the exact notified unit cost (`bill`); another line
    (a key instalment) at its rate × quantity."""
    service = line.service
    if (
        statement.kind in (Statement.Kind.PERIODIC, Statement.Kind.CORRECTIVE)
        and service is not None
        and service.billing_mode == SharedService.BillingMode.UNIT_COST
    ):
        notice = service.notices.filter(year=statement.year).first()
        if notice is not None and notice.is_notified:
            try:
                return analysis.due(determination_of(notice), usage, period=statement.period_label)
            except EngineError as exc:
                raise OperationsError(str(exc)) from exc
    return analysis.rate_due(
        D(line.rate), D(usage.units), line.unit_label or "unités", statement.period_label
    )


@transaction.atomic
def correct_statement(
    statement: Statement, corrected: dict[int, Decimal], reason: str
) -> Statement:
    """A corrective statement referencing an issued one: for each line whose quantity is
    corrected, a line of (rate × corrected quantity) − billed amount."""
    if not statement.is_frozen:
        raise OperationsError(
            _("Seul un état émis se rectifie ; modifiez le brouillon directement.")
        )
    if not reason.strip():
        raise OperationsError(_("Le motif de la rectification est obligatoire."))
    lines = []
    member = statement.member
    for line in statement.lines.select_related("service"):
        if line.pk not in corrected or line.rate == 0:
            continue
        quantity = corrected[line.pk]
        if quantity < 0:
            raise OperationsError(
                _("Les unités ne peuvent pas être négatives (%(l)s).") % {"l": line.label}
            )
        due = _corrected_due(statement, line, Usage(member.code, member.name, quantity))
        delta = due.amount - line.amount
        if delta == 0:
            continue
        lines.append(
            StatementLine(
                service=line.service,
                subscription=line.subscription,
                label=_("Rectification de l'état %(n)s — %(l)s")
                % {"n": statement.number, "l": line.label},
                quantity=quantity - line.quantity,
                unit_label=line.unit_label,
                rate=line.rate,
                amount=delta,
                formula=_("%(due)s (%(f)s) − %(billed)s déjà facturés")
                % {
                    "due": format_euros(due.amount),
                    "f": due.formula,
                    "billed": format_euros(line.amount),
                },
                explanation=due.explanation,
                imputation=line.imputation,
            )
        )
    if not lines:
        raise OperationsError(_("Aucune ligne ne change : rien à rectifier."))
    return create_statement(
        statement.pooling_body,
        Draft(statement.member, lines),
        statement.year,
        Statement.Kind.CORRECTIVE,
        statement.period_index,
        statement.period_label,
        statement.period_start,
        statement.period_end,
        corrects=statement,
        reason=reason,
        is_sample=statement.is_sample,
    )
