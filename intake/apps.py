from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Svar"

    def ready(self) -> None:
        # Connects the rendered questions' reset to runserver's template reload.
        from intake import fragments  # noqa: F401
