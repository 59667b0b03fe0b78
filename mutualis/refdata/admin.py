from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from mutualis.refdata.models import Commune, DatasetVersion, Epci

_ModelT = TypeVar("_ModelT", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_ModelT]):
    """Reference data changes only through `mutualis refdata load`."""

    def has_add_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin[Epci]):
    list_display = ["siren", "name", "kind", "fiscal_regime", "population_totale"]
    list_filter = ["kind", "fiscal_regime"]
    search_fields = ["siren", "name", "name_search"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin[Commune]):
    list_display = ["insee_code", "name", "departement", "population_municipale", "epci"]
    list_filter = ["region"]
    search_fields = ["insee_code", "name", "siren"]
    list_select_related = ["epci"]
    raw_id_fields = ["epci"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin[DatasetVersion]):
    list_display = ["vintage", "source", "loaded_at", "commune_count", "epci_count"]
