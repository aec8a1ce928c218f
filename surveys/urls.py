from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", views.login, name="login"),
    path("logga-ut/", views.logout, name="logout"),
    # The magic link in invitations (django-sesame); one-time, expires.
    path("inloggning/lank/", views.magic_login, name="magic-login"),
    path("konto/losenord/", views.password_set, name="password-set"),
    path("konto/losenord/klart/", views.password_set_done, name="password-set-done"),
    path("konto/bjud-in/", views.user_invite, name="user-invite"),
]
