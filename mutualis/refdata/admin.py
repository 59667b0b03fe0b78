from django.contrib import admin

from mutualis.refdata.models import Commune, DatasetVersion, Epci


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data changes only through `mutualis refdata load`."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["siren", "name", "kind", "fiscal_regime", "population_totale"]
    list_filter = ["kind", "fiscal_regime"]
    search_fields = ["siren", "name", "name_search"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["insee_code", "name", "departement", "population_municipale", "epci"]
    list_filter = ["region"]
    search_fields = ["insee_code", "name", "siren"]
    list_select_related = ["epci"]
    raw_id_fields = ["epci"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["vintage", "source", "loaded_at", "commune_count", "epci_count"]
