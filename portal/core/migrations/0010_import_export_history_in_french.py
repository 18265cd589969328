"""History lines that django-import-export's former import pages wrote in English.

Its ImportMixin (gone since the imports moved to portal.core.sheets) stored
« new through import_export » as plain text, which the admin's « History » pages and a
person's data export show as is. They are rewritten once in French: the site speaks
only French, and Django shows a plain-text message without translating it.
"""

from django.db import migrations

MESSAGES = {
    "new through import_export": "Ajout par l’import d’un tableau.",  # noqa: RUF001
    "update through import_export": "Modification par l’import d’un tableau.",  # noqa: RUF001
    "delete through import_export": "Suppression par l’import d’un tableau.",  # noqa: RUF001
    "skip through import_export": "Ligne ignorée par l’import d’un tableau.",  # noqa: RUF001
}


def rewrite(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    for english, french in MESSAGES.items():
        LogEntry.objects.filter(change_message=english).update(change_message=french)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("core", "0009_accounting_settings"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
