from django.db import migrations


class Migration(migrations.Migration):
    """Joins three branches that each added a second migration."""

    dependencies = [
        ("inventory", "0002_campaign_archive_and_protected_audit_trail"),
        ("inventory", "0002_import_preview_and_undo"),
        ("inventory", "0002_submission_reopened"),
    ]

    operations = []
