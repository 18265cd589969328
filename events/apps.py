from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.core.audit import NUMBER, AuditAction, AuditField


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and attendance")
    # The models public pages show: a change to one drops the page cache (portal.core.pagecache).
    # Not Registration: the seats and state it changes are live fragments (events.views.live).
    public_models = ("Action", "Session")
    # Its public pages rendered into the page cache again after each change.
    warm_pages = ("events:agenda", "events:agenda?page=2", "events:agenda?page=3")
    # The audit trail (portal.core.audit): what each action is called, and the keys of
    # its changes that are no field of the audited model.
    audit_actions = {
        "registration.cancelled": _("Registration cancelled"),
        "registration.confirmed": _("Registration confirmed"),
        "session.capacity": AuditAction(_("Capacity changed"), subject="capacity"),
        "session.headcount": AuditAction(_("Headcount recorded"), subject="count"),
        "action.imported": _("Action imported"),
        "attendance.imported": _("Attendance imported"),
        "attendance_certificate.mail_requested": _("Attendance certificate to be mailed"),
        "attendance_certificate.mailed": _("Attendance certificate mailed"),
        "attendance_certificate.failed": _("Attendance certificate not mailed"),
    }
    audit_fields = {
        "count": AuditField(of="events.Headcount.count"),
        "actor_type": AuditField(of="events.Headcount.actor_type"),
        "department": AuditField(_("département")),
        "created": AuditField(_("attendances added"), kind=NUMBER),
        "updated": AuditField(_("attendances changed"), kind=NUMBER),
        "new_people": AuditField(_("people added to the directory"), kind=NUMBER),
        # Logged by name, not by key.
        "certificatemailing.action": AuditField(_("action")),
        "certificatemailing.person": AuditField(_("person")),
    }

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from events.models import Registration
        from events.views import live
        from portal.core import pagecache

        # Every page renders each session's seats and state last (events.views.live),
        # from Redis until a registration to the session is committed.
        pagecache.live_register(live.KINDS, live.sessions_live)
        for signal in (post_save, post_delete):
            signal.connect(
                live.registration_changed, sender=Registration, dispatch_uid="events.live"
            )
