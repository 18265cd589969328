from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter Résonances")

    def ready(self) -> None:
        # Bounces and complaints come from the mail provider through anymail's webhooks.
        from anymail.signals import tracking

        from newsletter.webhooks import tracking_receive

        tracking.connect(tracking_receive, dispatch_uid="newsletter.tracking_receive")
