from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "mutualis.conventions"
    verbose_name = "Conventions de mutualisation"

    def ready(self) -> None:
        from mutualis.conventions.alerts import DAILY_ALERTS
        from mutualis.conventions.exports import DOCUMENT_PACK
        from mutualis.jobs.daily import register_daily
        from mutualis.jobs.registry import register

        register(DOCUMENT_PACK)
        register_daily(DAILY_ALERTS)
