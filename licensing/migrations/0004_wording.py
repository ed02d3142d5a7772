# Words only: "licence" where a person reads it (the admin's titles and labels).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0003_audit_customer_update_delete"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="licenseassignment",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "licence assignment",
                "verbose_name_plural": "licence assignments",
            },
        ),
        migrations.AlterField(
            model_name="customer",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AlterField(
            model_name="licenseassignment",
            name="license_code",
            field=models.CharField(blank=True, max_length=64, verbose_name="licence code"),
        ),
        migrations.AlterField(
            model_name="licenseassignment",
            name="license_id",
            field=models.CharField(
                blank=True, max_length=64, null=True, verbose_name="FlashStart licence id"
            ),
        ),
        migrations.AlterField(
            model_name="licenseassignment",
            name="license_info",
            field=models.CharField(blank=True, max_length=255, verbose_name="licence label"),
        ),
        migrations.AlterField(
            model_name="licenseassignment",
            name="license_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="licence name"),
        ),
    ]
