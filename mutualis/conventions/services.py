"""Verbs on conventions, each atomic; inputs are validated by `rules` before any write.

A signed version is never edited: every verb that changes terms, parties or staff
refuses a locked version, and the model refuses it again underneath.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.conventions import rules
from mutualis.conventions.models import (
    TERM_FIELDS,
    Convention,
    ConventionVersion,
    Deliberation,
    DocumentTemplate,
    Party,
    StaffLine,
)
from mutualis.conventions.queries import parties_of
from mutualis.conventions.rules import Problem
from mutualis.territories.models import Member, PoolingBody


class ConventionError(ValueError):
    """A refusal with its French problems, each naming its field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


def _refuse(problems: Sequence[Problem]) -> None:
    if problems:
        raise ConventionError(problems)


def _ensure_editable(version: ConventionVersion) -> None:
    if version.status != ConventionVersion.Status.DRAFT:
        raise ConventionError(
            [
                Problem(
                    "status",
                    _(
                        "Cette version n'est plus un projet (%(status)s) : elle ne se modifie "
                        "pas. Rédigez un avenant."
                    )
                    % {"status": version.get_status_display()},
                )
            ]
        )


@dataclass(frozen=True)
class PartyInput:
    member: Member | None
    forecast_units: Decimal = Decimal(0)
    key_weight: Decimal | None = None
    ac_base: Decimal | None = None


@dataclass(frozen=True)
class PartyRow:
    """The editable figures of one existing party."""

    party: Party
    units: Decimal
    weight: Decimal
    ac_base: Decimal | None = None


@dataclass(frozen=True)
class StaffInput:
    category: str
    mode: str
    fte: Decimal
    description: str = ""


def _default_weight(member: Member | None) -> Decimal:
    if member is None:
        return Decimal(0)
    return Decimal(member.population_dgf or member.population_municipale or 0)


def _epci_kind(body: PoolingBody) -> str:
    epci = body.source_epci
    kind = epci.kind if epci is not None else ""
    return kind if kind in ConventionVersion.EpciKind.values else ""


@transaction.atomic
def draft_convention(
    body: PoolingBody,
    *,
    title: str,
    legal_form: str,
    terms: dict[str, Any],
    parties: Sequence[PartyInput],
    staff: Sequence[StaffInput] = (),
    is_sample: bool = False,
    snapshot_id: int | None = None,
) -> Convention:
    """A new convention and its first version (draft); the pooling body is always a party."""
    members = [p.member for p in parties if p.member is not None]
    problems = rules.check_terms(legal_form, terms) + rules.check_members(body.pk, members)
    if not members:
        problems.append(Problem("members", _("Choisissez au moins une commune partie.")))
    _refuse(problems)
    convention = Convention.objects.create(
        pooling_body=body,
        title=title,
        legal_form=legal_form,
        is_sample=is_sample,
        source_snapshot_id=snapshot_id,
    )
    values = {k: v for k, v in terms.items() if k in TERM_FIELDS}
    values.setdefault("epci_kind", _epci_kind(body))
    version = ConventionVersion.objects.create(convention=convention, number=1, **values)
    inputs = list(parties)
    if not any(p.member is None for p in inputs):
        inputs.insert(0, PartyInput(None))
    Party.objects.bulk_create(
        Party(
            version=version,
            member=p.member,
            forecast_units=p.forecast_units,
            key_weight=p.key_weight if p.key_weight is not None else _default_weight(p.member),
            ac_base=p.ac_base,
        )
        for p in inputs
    )
    StaffLine.objects.bulk_create(
        StaffLine(
            version=version, category=s.category, mode=s.mode, fte=s.fte, description=s.description
        )
        for s in staff
    )
    return convention


@transaction.atomic
def update_terms(version: ConventionVersion, terms: dict[str, Any]) -> ConventionVersion:
    _ensure_editable(version)
    _refuse(rules.check_terms(version.convention.legal_form, {**_terms_of(version), **terms}))
    changed = [k for k in TERM_FIELDS if k in terms]
    for name in changed:
        setattr(version, name, terms[name])
    version.save(update_fields=changed)
    return version


@transaction.atomic
def update_parties(version: ConventionVersion, rows: Iterable[PartyRow]) -> None:
    """Forecast units, key weights and attributions de compensation of the parties."""
    _ensure_editable(version)
    changed = []
    for row in rows:
        party = row.party
        if party.version_id != version.pk:
            raise ConventionError([Problem("parties", _("Partie inconnue pour cette version."))])
        party.forecast_units, party.key_weight, party.ac_base = row.units, row.weight, row.ac_base
        changed.append(party)
    Party.objects.bulk_update(changed, ["forecast_units", "key_weight", "ac_base"])


@transaction.atomic
def set_staff(version: ConventionVersion, lines: Sequence[StaffInput]) -> None:
    _ensure_editable(version)
    version.staff.all().delete()
    StaffLine.objects.bulk_create(
        StaffLine(
            version=version, category=s.category, mode=s.mode, fte=s.fte, description=s.description
        )
        for s in lines
    )


@transaction.atomic
def send_to_parties(version: ConventionVersion, on: date) -> ConventionVersion:
    _ensure_editable(version)
    _refuse(
        rules.check_terms(version.convention.legal_form, _terms_of(version))
        + rules.check_ac_bases(version.method, parties_of(version))
    )
    version.status = ConventionVersion.Status.SENT
    version.sent_on = on
    version.save(update_fields=["status", "sent_on"])
    return version


def _terms_of(version: ConventionVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in TERM_FIELDS}


@dataclass(frozen=True)
class DeliberationInput:
    deciding_body: str
    voted_on: date
    number: str
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0


@transaction.atomic
def record_deliberation(
    party: Party, data: DeliberationInput, user: User | None = None
) -> Deliberation:
    """Record (or correct) one party's vote while the version awaits its signature."""
    version = party.version
    if version.status != ConventionVersion.Status.SENT:
        raise ConventionError(
            [
                Problem(
                    "status",
                    _(
                        "Les délibérations se saisissent quand la convention est transmise "
                        "aux parties et avant sa signature."
                    ),
                )
            ]
        )
    _refuse(rules.check_deliberation_date(data.voted_on, version.sent_on))
    deliberation, _created = Deliberation.objects.update_or_create(
        party=party,
        defaults={
            "deciding_body": data.deciding_body,
            "voted_on": data.voted_on,
            "number": data.number,
            "votes_for": data.votes_for,
            "votes_against": data.votes_against,
            "abstentions": data.abstentions,
            "recorded_by": user,
        },
    )
    return deliberation


def missing_deliberations(version: ConventionVersion) -> list[Party]:
    parties = version.parties.select_related("member", "deliberation")
    return [p for p in parties if not hasattr(p, "deliberation")]


@transaction.atomic
def sign(
    version: ConventionVersion, *, signed_on: date, name: str, content: bytes
) -> ConventionVersion:
    """Store the signed scan with its SHA-256; the version is frozen from now on."""
    if version.status != ConventionVersion.Status.SENT:
        raise ConventionError(
            [Problem("status", _("Seule une convention transmise aux parties se signe."))]
        )
    problems = rules.check_scan(name, content[:8], len(content))
    missing = missing_deliberations(version)
    if missing:
        problems.append(
            Problem(
                "signed_scan",
                _("Délibération manquante pour : %(names)s.")
                % {"names": ", ".join(p.name for p in missing)},
            )
        )
    if version.sent_on and signed_on < version.sent_on:
        problems.append(
            Problem("signed_on", _("La date de signature précède la transmission aux parties."))
        )
    _refuse(problems)
    version.signed_scan.save(
        f"convention-{version.convention_id}-v{version.number}.pdf",
        ContentFile(content),
        save=False,
    )
    version.signed_scan_sha256 = hashlib.sha256(content).hexdigest()
    version.signed_scan_size = len(content)
    version.signed_on = signed_on
    version.status = ConventionVersion.Status.SIGNED
    version.save()
    previous = ConventionVersion.objects.filter(
        convention_id=version.convention_id,
        number__lt=version.number,
        status__in=["signed", "in_force"],
    )
    previous.update(status=ConventionVersion.Status.SUPERSEDED)
    return version


@transaction.atomic
def terminate(version: ConventionVersion, *, on: date, reason: str) -> ConventionVersion:
    if version.status not in (ConventionVersion.Status.SIGNED, ConventionVersion.Status.IN_FORCE):
        raise ConventionError(
            [Problem("status", _("Seule une convention signée ou en vigueur se résilie."))]
        )
    if on < version.start_on:
        raise ConventionError(
            [Problem("terminated_on", _("La résiliation précède la date d'effet."))]
        )
    version.status = ConventionVersion.Status.TERMINATED
    version.terminated_on = on
    version.termination_reason = reason
    version.save(update_fields=["status", "terminated_on", "termination_reason"])
    return version


@transaction.atomic
def refresh_statuses(on: date) -> int:
    """Signed → in force from the start date; in force → expired after the end date."""
    started = ConventionVersion.objects.filter(status="signed", start_on__lte=on, end_on__gte=on)
    count = started.update(status=ConventionVersion.Status.IN_FORCE)
    ended = ConventionVersion.objects.filter(status__in=["signed", "in_force"], end_on__lt=on)
    return count + ended.update(status=ConventionVersion.Status.EXPIRED)


@transaction.atomic
def draft_avenant(version: ConventionVersion, *, reason: str) -> ConventionVersion:
    """A new draft version copying the signed one: the signed text stays as it is."""
    if version.status not in (ConventionVersion.Status.SIGNED, ConventionVersion.Status.IN_FORCE):
        raise ConventionError(
            [Problem("status", _("Un avenant modifie une convention signée ou en vigueur."))]
        )
    if not reason.strip():
        raise ConventionError([Problem("amendment_reason", _("Indiquez l'objet de l'avenant."))])
    if version.convention.versions.filter(status__in=["draft", "sent"]).exists():
        raise ConventionError(
            [Problem("status", _("Un avenant est déjà en préparation pour cette convention."))]
        )
    last = version.convention.versions.order_by("-number").first()
    new = ConventionVersion.objects.create(
        convention=version.convention,
        number=(last.number if last else version.number) + 1,
        amendment_reason=reason,
        **_terms_of(version),
    )
    Party.objects.bulk_create(
        Party(
            version=new,
            member_id=p.member_id,
            forecast_units=p.forecast_units,
            key_weight=p.key_weight,
            ac_base=p.ac_base,
        )
        for p in version.parties.all()
    )
    StaffLine.objects.bulk_create(
        StaffLine(
            version=new, category=s.category, mode=s.mode, fte=s.fte, description=s.description
        )
        for s in version.staff.all()
    )
    return new


@transaction.atomic
def save_template(
    body: PoolingBody, legal_form: str, kind: str, upload: Any, user: User | None, fmt: str
) -> DocumentTemplate:
    """Replace the body's template for one legal form, document and format (DOCX or ODT),
    once the form has checked the archive and rendered it with sample values."""
    template = DocumentTemplate.objects.filter(
        pooling_body=body, legal_form=legal_form, kind=kind, file_format=fmt
    ).first() or DocumentTemplate(
        pooling_body=body, legal_form=legal_form, kind=kind, file_format=fmt
    )
    template.file_name = upload.name[:200]
    template.uploaded_by = user
    template.file.save(f"{body.pk}-{legal_form}-{kind}.{fmt}", upload, save=False)
    template.save()
    return template
