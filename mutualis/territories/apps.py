from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "mutualis.territories"
    verbose_name = "Territoires"
