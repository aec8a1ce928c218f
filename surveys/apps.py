from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default = True  # the app's config; SwedishAxesConfig below is axes'
    name = "surveys"
    verbose_name = "Register och enkäter"

    def ready(self) -> None:
        # Connects the sign-in signal receiver that starts a session's clocks.
        from surveys import middleware  # noqa: F401


class SwedishAxesConfig(AxesAppConfig):  # type: ignore[misc]  # axes is untyped
    """django-axes under a Swedish name in the admin (issue #17); its strings
    are translated in locale/sv (axes ships no Swedish catalogue)."""

    verbose_name = "Inloggningar"
