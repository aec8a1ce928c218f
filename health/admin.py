from django.contrib import admin

from health.models import Heartbeat
from surveys.admin import ReadOnlyAdminMixin


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Heartbeat]):
    """Written by the worker only; shown so staff can see when beat last ran."""

    list_display = ["name", "at"]
