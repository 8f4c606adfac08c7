"""The two staff roles, as groups. Views check membership (screening/staff/roles.py); no model
permissions are attached, since the workspaces are reached by role, not through the admin."""

from django.db import migrations

ROLES = ("curator", "navigator")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    # Not undone: deleting the groups would silently take their roles from every staff member,
    # and migrating forward again would not give them back.
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
