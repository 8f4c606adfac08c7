from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin


class ReadOnlyLogEntryAdmin(LogEntryAdmin):
    """Admins read the audit log; nobody changes it.

    auditlog's own admin already refuses adding and changing, but lets a superuser delete entries
    when another admin page deletes them along with something else. Here nothing deletes them.
    """

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ReadOnlyLogEntryAdmin)
