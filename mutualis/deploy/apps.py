from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "mutualis.deploy"
    verbose_name = "Exploitation"
