from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Register och enkäter"

    def ready(self) -> None:
        # Connects the sign-in signal receiver that starts a session's clocks.
        from surveys import middleware  # noqa: F401
