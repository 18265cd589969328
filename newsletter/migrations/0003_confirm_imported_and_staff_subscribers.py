"""Imported and staff-entered subscribers were never given a confirmation date, so the
annual figures (which count confirmed subscribers) left them out: they count from their
consent, as the import and the back office now record."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def confirm_at_consent(apps, schema_editor):
    Subscriber = apps.get_model("newsletter", "Subscriber")
    Subscriber.objects.filter(
        confirmed_at__isnull=True, consent_source__in=["import", "staff"]
    ).exclude(status="pending").update(confirmed_at=Coalesce(F("consent_at"), F("created_at")))


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0002_issue_archived_outcomes")]

    operations = [migrations.RunPython(confirm_at_consent, migrations.RunPython.noop)]
