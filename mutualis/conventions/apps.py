from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "mutualis.conventions"
    verbose_name = "Conventions de mutualisation"

    def ready(self) -> None:
        from mutualis.conventions.exports import DOCUMENT_PACK
        from mutualis.jobs.registry import register

        register(DOCUMENT_PACK)
