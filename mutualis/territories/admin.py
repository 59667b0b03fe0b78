from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mutualis.territories.models import Domain, Member, MemberAttribute, Membership, PoolingBody


@admin.register(PoolingBody)
class PoolingBodyAdmin(SimpleHistoryAdmin[PoolingBody]):
    list_display = ["name", "kind", "siren"]
    search_fields = ["name", "siren"]
    raw_id_fields = ["source_epci"]


class MembershipInline(admin.TabularInline[Membership, Member]):
    model = Membership
    extra = 0


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin[Member]):
    list_display = ["name", "insee_code", "pooling_body", "population_municipale"]
    list_filter = ["pooling_body"]
    search_fields = ["name", "insee_code", "siren"]
    inlines = [MembershipInline]


@admin.register(MemberAttribute)
class MemberAttributeAdmin(SimpleHistoryAdmin[MemberAttribute]):
    list_display = ["member", "label", "value", "year", "source"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin[Domain]):
    list_display = ["name", "code", "family", "pooling_body", "is_active"]
    list_filter = ["family", "pooling_body"]
