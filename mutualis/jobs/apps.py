from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "mutualis.jobs"
    verbose_name = "Tâches de fond"
