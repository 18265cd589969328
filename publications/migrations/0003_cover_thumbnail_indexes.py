from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publications", "0002_media_file_transcript")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                condition=models.Q(("cover", ""), _negated=True),
                fields=["cover"],
                name="publication_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                condition=models.Q(("thumbnail", ""), _negated=True),
                fields=["thumbnail"],
                name="publication_thumbnail",
            ),
        ),
    ]
