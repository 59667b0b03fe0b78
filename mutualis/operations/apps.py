from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "mutualis.operations"
    verbose_name = "Pilotage des services mutualisés"
