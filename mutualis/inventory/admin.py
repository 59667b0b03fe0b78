from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ImportLog,
    ServiceRecord,
    StaffLine,
    Submission,
)


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin[Campaign]):
    list_display = ["pooling_body", "year", "status", "deadline", "is_sample"]
    list_filter = ["status", "is_sample"]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin[Submission]):
    list_display = ["campaign", "member", "status", "submitted_at"]
    list_filter = ["status"]


class StaffLineInline(admin.TabularInline[StaffLine, ServiceRecord]):
    model = StaffLine
    extra = 0


class CostLineInline(admin.TabularInline[CostLine, ServiceRecord]):
    model = CostLine
    extra = 0


@admin.register(ServiceRecord)
class ServiceRecordAdmin(SimpleHistoryAdmin[ServiceRecord]):
    list_display = ["campaign", "member", "domain", "mode"]
    list_filter = ["mode"]
    inlines = [StaffLineInline, CostLineInline]


@admin.register(Asset)
class AssetAdmin(SimpleHistoryAdmin[Asset]):
    list_display = ["name", "kind", "member", "campaign", "shareable"]
    list_filter = ["kind", "shareable"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin[Contract]):
    list_display = ["vendor", "product", "member", "yearly_cost_amount", "end_on"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin[ImportLog]):
    list_display = ["file_name", "campaign", "user", "at", "created_count", "updated_count"]
