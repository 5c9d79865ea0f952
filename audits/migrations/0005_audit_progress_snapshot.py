from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audits", "0003_page_geo_score"),
    ]

    operations = [
        migrations.AddField(
            model_name="audit",
            name="progress_snapshot",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="audit",
            name="progress_seq",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
