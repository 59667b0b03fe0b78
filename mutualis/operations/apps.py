from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "mutualis.operations"
    verbose_name = "Pilotage des services mutualisés"

    def ready(self) -> None:
        from mutualis.jobs.registry import register
        from mutualis.operations.exports import STATEMENTS_PDF, STATEMENTS_XLSX

        register(STATEMENTS_PDF)
        register(STATEMENTS_XLSX)
