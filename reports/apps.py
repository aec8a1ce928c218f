from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Rapporter"

    def ready(self) -> None:
        # Fills the registry of export kinds (reports/exporters.py).
        from reports import exporters  # noqa: F401
