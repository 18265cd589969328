from django.db import migrations
from django.utils.text import slugify

# The themes of the centre's work, from its 2023 activity report.
THEMES = [
    "Développement social",
    "Coconstruction et coopérations",
    "Égalité et justice sociale",
    "Égalité femmes-hommes",
    "Santé",
    "Jeunesse",
    "Éducation",
    "Parentalité",
    "Emploi et développement économique",
    "Économie sociale et solidaire",
    "Transition écologique",
    "Logement et rénovation urbaine",
    "Participation des habitant·es",
    "Ingénierie territoriale",
    "Prévention et tranquillité publique",
    "Laïcité et valeurs de la République",
]


def seed(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    for name in THEMES:
        Theme.objects.get_or_create(slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_themes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
