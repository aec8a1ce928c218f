from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Inloggning"
    default_auto_field = "django.db.models.BigAutoField"


class SwedishTotpConfig(TOTPConfig):  # type: ignore[misc]  # django-otp is untyped
    """django-otp's TOTP devices under a Swedish name in the admin, where staff
    remove a lost phone's device (README "Sign-in")."""

    verbose_name = "Tvåstegsverifiering"
