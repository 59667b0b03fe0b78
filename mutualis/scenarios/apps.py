from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "mutualis.scenarios"
    verbose_name = "Scénarios de mutualisation"

    def ready(self) -> None:
        from mutualis.jobs.registry import register
        from mutualis.scenarios.exports import PACK_PDF, RESULTS_JSON, SHEETS_PDF

        register(RESULTS_JSON)
        register(PACK_PDF)
        register(SHEETS_PDF)
