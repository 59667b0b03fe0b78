from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from mutualis.operations.models import (
    AcBase,
    Catalogue,
    ChargeLine,
    MemberForecast,
    Offer,
    ServiceMember,
    SharedService,
    Statement,
    StatementLine,
    Subscription,
    TariffBand,
    UnitCostNotice,
    UnitEntry,
)


class ServiceMemberInline(admin.TabularInline[ServiceMember, SharedService]):
    model = ServiceMember
    extra = 0


@admin.register(SharedService)
class SharedServiceAdmin(SimpleHistoryAdmin[SharedService]):
    list_display = ["name", "pooling_body", "legal_form", "billing_mode", "is_sample"]
    list_filter = ["billing_mode", "legal_form", "is_sample"]
    inlines = [ServiceMemberInline]


class ChargeInline(admin.TabularInline[ChargeLine, UnitCostNotice]):
    model = ChargeLine
    extra = 0


class ForecastInline(admin.TabularInline[MemberForecast, UnitCostNotice]):
    model = MemberForecast
    extra = 0


@admin.register(UnitCostNotice)
class UnitCostNoticeAdmin(SimpleHistoryAdmin[UnitCostNotice]):
    list_display = ["service", "year", "unit_cost", "notified_on", "deadline_on"]
    inlines = [ChargeInline, ForecastInline]


@admin.register(UnitEntry)
class UnitEntryAdmin(SimpleHistoryAdmin[UnitEntry]):
    list_display = ["service", "member", "year", "month", "units", "origin"]
    list_filter = ["origin"]


class StatementLineInline(admin.TabularInline[StatementLine, Statement]):
    model = StatementLine
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.is_frozen)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin[Statement]):
    """An issued statement is read-only here too: corrections are new statements."""

    list_display = ["number", "member", "period_label", "kind", "status", "total_amount"]
    list_filter = ["status", "kind", "is_sample"]
    inlines = [StatementLineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_frozen:
            return [f.name for f in obj._meta.concrete_fields]
        return ["snapshot", "issued_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.is_frozen)


class BandInline(admin.TabularInline[TariffBand, Offer]):
    model = TariffBand
    extra = 0


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin[Offer]):
    list_display = ["code", "name", "pooling_body", "tariff_model", "is_sample"]
    inlines = [BandInline]


@admin.register(Subscription)
class SubscriptionAdmin(SimpleHistoryAdmin[Subscription]):
    list_display = ["offer", "member", "start_on", "end_on", "users"]


admin.site.register(Catalogue)
admin.site.register(AcBase, SimpleHistoryAdmin)
