"""Keep one invitation per address and workspace among those not accepted (the newest), so
that the constraint of the next migration can be added to a database made before it."""

from django.db import migrations


def drop_duplicates(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    kept = set()
    for invitation in Invitation.objects.filter(accepted_at=None).order_by("-created_at", "-pk"):
        key = (invitation.workspace_id, invitation.email.lower())
        if key in kept:
            invitation.delete()
        else:
            kept.add(key)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(drop_duplicates, migrations.RunPython.noop)]
