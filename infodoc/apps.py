from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfodocConfig(AppConfig):
    name = "infodoc"
    verbose_name = _("Info-doc service")
