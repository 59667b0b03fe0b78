"""The rules a convention's terms must follow, written once for forms, services and CLI.

Each check returns `Problem(field, message)` values in French, so a form shows them on
its fields and a service or command refuses with all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mutualis.conventions.legal_forms import LEGAL_FORMS, LegalForm, Method

PDF_MAGIC = b"%PDF-"
DEFAULT_SCAN_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def scan_max_bytes() -> int:
    return int(getattr(settings, "CONVENTION_SCAN_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES))


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_terms(legal_form: str, values: dict[str, Any]) -> list[Problem]:
    """Dates, required financial terms and periodicity of one version's terms."""
    problems: list[Problem] = []
    form: LegalForm | None = LEGAL_FORMS.get(legal_form)
    if form is None:
        return [Problem("legal_form", _("Forme juridique inconnue : « %s ».") % legal_form)]
    start, end = values.get("start_on"), values.get("end_on")
    if start and end and end < start:
        problems.append(
            Problem(
                "end_on",
                _("La date de fin (%(end)s) précède la date d'effet (%(start)s).")
                % {"end": _fr(end), "start": _fr(start)},
            )
        )
    method = values.get("method") or ""
    if not method:
        problems.append(
            Problem(
                "method",
                _(
                    "Une convention de type « %(form)s » exige des conditions financières : "
                    "choisissez une méthode."
                )
                % {"form": form.label},
            )
        )
        return problems
    if method not in form.methods:
        problems.append(
            Problem(
                "method",
                _(
                    "La méthode « %(method)s » n'est pas prévue pour une convention de type "
                    "« %(form)s » ; méthodes possibles : %(allowed)s."
                )
                % {
                    "method": Method(method).label,
                    "form": form.label,
                    "allowed": ", ".join(str(Method(m).label) for m in form.methods),
                },
            )
        )
    if (form.requires_units or method in (Method.UNIT_COST, Method.TARIFF)) and not (
        values.get("unit_label") or ""
    ).strip():
        problems.append(
            Problem(
                "unit_label",
                _(
                    "Indiquez l'unité de fonctionnement (heures, actes, dossiers…) : elle est "
                    "exigée pour une convention de type « %(form)s » (CGCT art. D.5211-16)."
                )
                % {"form": form.label},
            )
        )
    if method in (Method.UNIT_COST, Method.KEY, Method.AC_DEDUCTION) and values.get(
        "charges_amount"
    ) in (None, ""):
        problems.append(
            Problem(
                "charges_amount",
                _(
                    "Indiquez les charges prévisionnelles du service, base des conditions "
                    "financières."
                ),
            )
        )
    if method == Method.TARIFF and values.get("tariff_amount") in (None, ""):
        problems.append(Problem("tariff_amount", _("Indiquez le tarif par unité.")))
    periodicity = values.get("periodicity_months")
    if form.decree_applies(method) and periodicity and int(periodicity) > 12:
        problems.append(
            Problem(
                "periodicity_months",
                _(
                    "Sous le décret (CGCT art. D.5211-16), le remboursement est au moins annuel : "
                    "une périodicité de %(months)s mois est refusée (12 mois au plus)."
                )
                % {"months": periodicity},
            )
        )
    return problems


def check_ac_bases(method: str, parties: Iterable[Any]) -> list[Problem]:
    """An AC deduction needs each commune's attribution de compensation (CGI 1609 nonies C)."""
    if method != Method.AC_DEDUCTION:
        return []
    missing = [p.name for p in parties if not p.is_pooling_body and p.ac_base is None]
    if not missing:
        return []
    return [
        Problem(
            "ac_base",
            _(
                "Imputation sur l'attribution de compensation : indiquez l'attribution de "
                "compensation avant imputation de %(names)s (page « Parties, unités et "
                "poids »), CGI art. 1609 nonies C."
            )
            % {"names": ", ".join(missing)},
        )
    ]


def check_members(body_pk: int, members: Iterable[Any]) -> list[Problem]:
    """Every party must be a member of the pooling body."""
    return [
        Problem(
            "members",
            _(
                "« %(name)s » n'est pas membre de la structure porteuse : elle ne peut pas être "
                "partie à cette convention."
            )
            % {"name": member.name},
        )
        for member in members
        if member.pooling_body_id != body_pk
    ]


def check_deliberation_date(voted_on: date, sent_on: date | None) -> list[Problem]:
    if sent_on is None:
        return [Problem("voted_on", _("La convention n'a pas encore été transmise aux parties."))]
    if voted_on < sent_on:
        return [
            Problem(
                "voted_on",
                _(
                    "La délibération du %(voted)s est antérieure à la transmission de la "
                    "convention (%(sent)s)."
                )
                % {"voted": _fr(voted_on), "sent": _fr(sent_on)},
            )
        ]
    return []


def check_scan(name: str, head: bytes, size: int) -> list[Problem]:
    """A signed scan is a PDF (by its content, not its name) under the size limit."""
    problems = []
    if not head.startswith(PDF_MAGIC):
        problems.append(
            Problem(
                "signed_scan",
                _("« %(name)s » n'est pas un fichier PDF : déposez le scan signé au format PDF.")
                % {"name": name},
            )
        )
    limit = scan_max_bytes()
    if size > limit:
        problems.append(
            Problem(
                "signed_scan",
                _("« %(name)s » pèse %(size)s Mo, au-delà de la limite de %(limit)s Mo.")
                % {
                    "name": name,
                    "size": f"{size / 1048576:.1f}".replace(".", ","),
                    "limit": f"{limit / 1048576:.0f}",
                },
            )
        )
    return problems
