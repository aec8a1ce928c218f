from django.contrib import admin
from django.http import HttpRequest

from outbox.models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin[OutboxTask]):
    list_display = ["task_name", "state", "attempts", "created_at", "dispatched_at"]
    list_filter = ["state", "task_name"]
    # Written by the services only; the admin is for looking.
    readonly_fields = [f.name for f in OutboxTask._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
