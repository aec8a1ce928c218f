from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Bakgrundsarbete"

    def ready(self) -> None:
        # The outbox names tasks by their registered names, so every app's
        # tasks module is imported in the web process too, not only in the
        # worker (where Celery's own autodiscovery runs).
        autodiscover_modules("tasks")
