"""Fill the core's register of erased addresses with the erasures done before it existed."""

from django.db import migrations


def register_done_erasures(apps, schema_editor):
    ErasureRequest = apps.get_model("privacy", "ErasureRequest")
    ErasedAddress = apps.get_model("core", "ErasedAddress")
    done = ErasureRequest.objects.filter(status="done").exclude(email_sha256="")
    ErasedAddress.objects.bulk_create(
        [
            ErasedAddress(email_sha256=sha, erased_at=confirmed_at)
            for sha, confirmed_at in done.values_list("email_sha256", "confirmed_at")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("core", "0008_erased_addresses_import_jobs"),
    ]

    operations = [migrations.RunPython(register_done_erasures, migrations.RunPython.noop)]
