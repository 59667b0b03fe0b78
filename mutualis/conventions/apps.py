from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "mutualis.conventions"
    verbose_name = "Conventions de mutualisation"
