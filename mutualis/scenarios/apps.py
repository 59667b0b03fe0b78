from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "mutualis.scenarios"
    verbose_name = "Scénarios de mutualisation"
