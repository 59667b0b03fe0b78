"""The sample pilotage: a full year, one correction, a catalogue, all marked as sample."""

from __future__ import annotations

from decimal import Decimal

from mutualis.operations.demo import create_sample_operations
from mutualis.operations.models import Offer, Statement, Subscription


def test_sample_year_is_complete_and_marked(world) -> None:
    service = create_sample_operations(world.body)
    assert service.is_sample
    notice = service.notices.get(year=2026)
    assert notice.is_notified and not notice.is_late
    statements = Statement.objects.filter(pooling_body=world.body)
    assert statements.filter(status="issued", kind="periodic").count() == 8  # 2 members × 4
    correction = statements.get(kind="corrective")
    assert correction.corrects is not None and correction.is_sample
    assert all(s.is_sample for s in statements)
    assert Offer.objects.filter(pooling_body=world.body, is_sample=True).count() == 8
    assert Subscription.objects.filter(is_sample=True).exists()
    assert create_sample_operations(world.body) == service  # idempotent
    assert correction.total_amount > Decimal(0)
