from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from sesame import settings as sesame_settings

from surveys.auth import request_user
from surveys.errors import shown_errors
from surveys.forms import (
    LOGIN_ERROR_ID,
    CurrentPasswordChangeForm,
    EmailAuthenticationForm,
    InvitationForm,
)
from surveys.models import User
from surveys.selectors import cycles_with_questionnaires
from surveys.services import invite_user, set_user_password


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/home.html",
        {"cycles": cycles_with_questionnaires()},
    )


def _contact() -> dict[str, str]:
    """Whom respondents contact about the service (settings, per deployment)."""
    return {
        "contact_email": settings.SERVICE_CONTACT_EMAIL,
        "contact_phone": settings.SERVICE_CONTACT_PHONE,
    }


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The tillgänglighetsredogörelse the DOS law requires, after DIGG's model."""
    return render(request, "surveys/accessibility.html", _contact())


def personal_data(request: HttpRequest) -> HttpResponse:
    """What personal data the service keeps, why and for how long: the periods
    are the settings that the nightly jobs delete by, so the page cannot drift
    from what actually happens."""
    return render(
        request,
        "surveys/personal_data.html",
        {
            "sign_in_days": settings.AXES_LOG_RETENTION_DAYS,
            "outbox_days": settings.OUTBOX_RETENTION_DAYS,
            "export_days": settings.EXPORT_RETENTION_DAYS,
            "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
            "session_max_hours": settings.SESSION_MAX_HOURS,
            "link_days": settings.SESAME_MAX_AGE // (24 * 60 * 60),
            **_contact(),
        },
    )


# Django's views, with our template and form; django-axes watches the sign-in
# through the authentication backends, so the views need nothing of their own.
login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=EmailAuthenticationForm,
    extra_context={"error_id": LOGIN_ERROR_ID},
)
# POST only (Django 5): a link or an image cannot sign anyone out.
logout = auth_views.LogoutView.as_view()


@never_cache
@require_http_methods(["GET", "POST"])
def magic_login(request: HttpRequest) -> HttpResponse:
    """The one-time link in invitations (django-sesame), in two steps.

    GET checks the link and shows a "Logga in" button; only the POST signs in,
    which spends the link. Mail scanners and link previews follow links with GET,
    so opening the link must not use it up. A used, expired or damaged link gets
    a Swedish page instead of sesame's bare 403.
    """
    data = request.POST if request.method == "POST" else request.GET
    token = data.get(sesame_settings.TOKEN_NAME, "")
    next_url = data.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    # The sesame backend only checks the token; it is spent when login() updates
    # last_login (SESAME_ONE_TIME), i.e. on the POST below.
    user = authenticate(request, sesame=token) if token else None
    if user is None:
        return render(request, "registration/magic_link_invalid.html", status=403)
    if request.method != "POST":
        return render(
            request,
            "registration/magic_link_confirm.html",
            {
                "link_user": user,
                "token_name": sesame_settings.TOKEN_NAME,
                "token": token,
                "next": next_url,
            },
        )
    auth_login(request, user)
    # The link proved the e-mail address: the first password chosen in this
    # session needs no current one (someone who forgot theirs is sent a link).
    request.session[LINK_SIGN_IN] = True
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


# Session key: this session signed in with a one-time link (magic_login).
LINK_SIGN_IN = "signed_in_with_link"


def may_skip_current_password(request: HttpRequest, user: User) -> bool:
    """A password is changed with the current one, so that someone at an unlocked
    computer cannot take over the account; except the first choice after a link
    sign-in, or when there is no password yet."""
    return not user.has_usable_password() or bool(request.session.get(LINK_SIGN_IN))


@login_required
def password_set(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form: SetPasswordForm[User]
    if may_skip_current_password(request, user):
        form = SetPasswordForm(user, request.POST or None, label_suffix="")
    else:
        form = CurrentPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            set_user_password(
                user, actor=user, password=form.cleaned_data["new_password1"]
            )
        if outcome.ok:
            # Stay signed in: the session is tied to the password hash.
            update_session_auth_hash(request, user)
            # The link's exemption is spent with the first password chosen.
            request.session.pop(LINK_SIGN_IN, None)
            return redirect("surveys:password-set-done")
    return render(
        request,
        "registration/password_set.html",
        {"form": form, "asks_current": isinstance(form, CurrentPasswordChangeForm)},
    )


@login_required
def password_set_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_set_done.html")


@login_required
def user_invite(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            invited = invite_user(
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                actor=user,
            )
        # A ValidationError keyed by field ("email") lands on that field.
        if outcome.ok:
            messages.success(
                request,
                f"En inbjudan med inloggningslänk har skickats till {invited.email}.",
            )
            return redirect("surveys:user-invite")
    return render(request, "surveys/user_invite.html", {"form": form})
