from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Inloggning"
    default_auto_field = "django.db.models.BigAutoField"
