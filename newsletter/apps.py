from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.audit import LIST, AuditField


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter Résonances")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    public_models = ("Issue", "Block")
    # Its public pages rendered into the page cache again after each change.
    warm_pages = ("newsletter:archive",)
    # The audit trail (portal.core.audit): what each action is called, and the keys of
    # its changes that are no field of the audited model.
    audit_actions = {
        "newsletter.ready": _("Issue marked ready"),
        "newsletter.draft": _("Issue back to draft"),
        "newsletter.scheduled": _("Sending scheduled"),
        "newsletter.unscheduled": _("Scheduled sending cancelled"),
        "newsletter.schedule_refused": _("Scheduled sending refused"),
        "newsletter.sending": _("Sending started"),
        "newsletter.paused": _("Sending paused"),
        "newsletter.resumed": _("Sending resumed"),
        "newsletter.cancelled": _("Sending cancelled"),
        "newsletter.sent": _("Issue sent"),
        "newsletter.test_send": _("Test sent"),
        "newsletter.issue_archived": _("Past issue imported"),
        "newsletter.subscriber_added": _("Subscriber added by staff"),
        "newsletter.subscriber_imported": _("Subscriber imported"),
        "newsletter.subscription_requested": _("Subscription requested"),
        "newsletter.subscription_confirmed": _("Subscription confirmed"),
        "newsletter.unsubscribed": _("Unsubscribed"),
    }
    audit_fields = {
        "segment": AuditField(_("audience")),
        "problems": AuditField(_("problems"), kind=LIST),
        # How an address came or went: its consent source, or the way it unsubscribed.
        "source": AuditField(
            pgettext_lazy("audit", "source"),
            values={
                "web_form": _("Subscription form (double opt-in)"),
                "import": pgettext_lazy("consent source", "Import"),
                "staff": _("by staff"),
                "link": _("unsubscribe link"),
                "one_click": _("one-click unsubscribe from the mail software"),
                "provider": _("mail provider (bounce or complaint)"),
            },
        ),
    }

    def ready(self) -> None:
        # Bounces and complaints come from the mail provider through anymail's webhooks.
        from anymail.signals import tracking

        from newsletter.webhooks import tracking_receive

        tracking.connect(tracking_receive, dispatch_uid="newsletter.tracking_receive")
