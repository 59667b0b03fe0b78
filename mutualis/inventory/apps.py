from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "mutualis.inventory"
    verbose_name = "Diagnostic (état des lieux)"

    def ready(self) -> None:
        from mutualis.inventory.exports import DIAGNOSTIC_PDF, DIAGNOSTIC_XLSX
        from mutualis.inventory.import_jobs import IMPORT_APPLY, IMPORT_CHECK
        from mutualis.jobs.registry import register

        register(DIAGNOSTIC_PDF)
        register(DIAGNOSTIC_XLSX)
        register(IMPORT_APPLY)
        register(IMPORT_CHECK)
