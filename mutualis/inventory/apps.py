from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "mutualis.inventory"
    verbose_name = "Diagnostic (état des lieux)"
