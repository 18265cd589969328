import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="media_file",
            field=models.FileField(
                blank=True,
                help_text="MP3, M4A, OGG, WAV, MP4 or WebM: played in the publication's page.",
                upload_to="publications/media/%Y/",
                validators=[
                    django.core.validators.FileExtensionValidator(
                        ["m4a", "mp3", "mp4", "oga", "ogg", "ogv", "opus", "wav", "webm"]
                    )
                ],
                verbose_name="audio or video file",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="transcript",
            field=models.TextField(
                blank=True,
                help_text="The words of the audio or video, shown under the player.",
                verbose_name="transcript",
            ),
        ),
    ]
