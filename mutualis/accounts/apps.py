from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutualis.accounts"
    verbose_name = "Comptes et rôles"
