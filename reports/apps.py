from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Rapporter"

    def ready(self) -> None:
        # Fills the registry of export kinds (reports/exporters.py). Imported here,
        # not at module level, because the exporters need the models loaded.
        from reports import export_kinds  # noqa: F401
        from reports.exports import svarsstatus  # noqa: F401
