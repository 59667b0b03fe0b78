from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefdataConfig(AppConfig):
    name = "mutualis.refdata"
    verbose_name = _("Référentiel géographique")
    default_auto_field = "django.db.models.BigAutoField"
