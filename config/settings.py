"""The one settings module (docs/conventions.md §10).

Every value comes from the environment, with a default that runs locally:
SQLite, Celery tasks run in-process, e-mail printed to the console, DEBUG off.
Production differs only in environment values; `.env.example` lists them all.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import production

# Lets admin and form classes be subscripted with their model type at run time,
# as strict mypy wants them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The image sets PRODUCTION=true: the service then refuses to start with a
# development key, DEBUG, no e-mail server or open ALLOWED_HOSTS (config/production.py,
# checked at the end of this module).
PRODUCTION = env_bool("PRODUCTION", False)
# Local runs and tests only fall back to a fixed key; production refuses it.
SECRET_KEY = env_str("SECRET_KEY", "") or "insecure-local-development-key"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A Swedish page (JSON for the page's scripts) instead of Django's English one.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # The OpenAPI schema and its page; Swagger UI's files from the sidecar's static.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Throttles failed sign-ins (see "Sign-in" below); ships its own migrations.
    "surveys.apps.SwedishAxesConfig",  # django-axes, named in Swedish
    # The staff's second factor: TOTP devices and the verified-session flag.
    "django_otp",
    "signin.apps.SwedishTotpConfig",  # django_otp.plugins.otp_totp, named in Swedish
    "surveys",
    "intake",
    "reports",
    # Background work recorded with the change that needs it (docs/background-work.md).
    "outbox",
    "health",
    # The REST API under /api/v1/ and personal API tokens (issue #18).
    "api",
    # OpenID Connect sign-in and the staff's second factor (issue #18 point 4).
    "signin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response (CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: signs out sessions past
    # SESSION_IDLE_MINUTES or SESSION_MAX_HOURS (saying why on the login page), and
    # marks every response to a signed-in user no-store.
    "surveys.middleware.SessionLifetimeMiddleware",
    "surveys.middleware.NoStoreWhenSignedInMiddleware",
    # Staff sessions without their second factor reach only the TOTP step.
    "signin.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "signin.context_processors.oidc_sign_in",
            ],
            # `{% url %}` with its reversals remembered (issue #20).
            "builtins": ["surveys.templatetags.cached_url"],
        },
    },
]

# SQLite unless DATABASE_URL points elsewhere (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection is tested before each request reuses it, so a
        # PostgreSQL restart costs a reconnect, not one 500 per process (#13).
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite: a transaction takes the write lock when it begins, and
    # waits up to 20 s for it, instead of failing with "database is locked" when
    # an autosave and a save overlap (SQLite cannot upgrade a read lock held by
    # one while another writes).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: PostgreSQL compiles a query whose estimated cost passes
    # jit_above_cost, and the tabulations' per-response tests of display
    # conditions are estimated high: compiling took 0,3-0,5 s for a query that
    # runs in 30 ms (issue #5 point 9). Our queries are short; none gains by it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "surveys.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in ----------------------------------------------------------------------
# E-mail and password on our own Swedish page (the admin keeps its own login), or a
# one-time link e-mailed by staff (django-sesame). django-axes throttles failures.
LOGIN_URL = "surveys:login"
LOGIN_REDIRECT_URL = "surveys:home"
LOGOUT_REDIRECT_URL = "surveys:home"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out client is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, matching the e-mail address case-insensitively.
    "surveys.auth.EmailBackend",
    # The magic links in invitations.
    "sesame.backends.ModelBackend",
    # Sessions signed in through the organisation's identity provider (signin/).
    "signin.backends.OidcBackend",
]

# OpenID Connect (issue #18 point 4; README "Inloggning via identitetsleverantör"):
# on when a discovery URL (or the issuer, to which the well-known path is added)
# and a client id are set. The provider redirects back to /logga-in/oidc/retur/.
# People are matched to existing accounts by issuer and subject, or by a
# verified e-mail address; nobody unknown gets an account unless OIDC_CREATE_USERS.
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "") or (
    f"{OIDC_ISSUER.rstrip('/')}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_BUTTON_LABEL = env_str("OIDC_BUTTON_LABEL", "Logga in via din organisation")
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)

# The staff's second factor (TOTP, django-otp): required for every staff session
# whatever the first sign-in was (signin.middleware.StaffSecondFactorMiddleware).
# The name authenticator apps show for the account.
OTP_TOTP_ISSUER = "Nära vård-uppföljningen"
# Failed codes make the next try wait 1, 2, 4, ... seconds (django-otp's throttle).
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin lists devices (to delete a lost phone's) but shows nobody another
# person's key or QR code: with it a colleague could copy their second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# After AXES_FAILURE_LIMIT failed sign-ins for one e-mail address from one IP
# address, that pair is refused (HTTP 429, registration/lockout.html) for
# AXES_COOLOFF_MINUTES; a successful sign-in clears the count. Keying on the pair
# means nobody can lock a colleague out from another address. A sign-in link's
# failures count under the link (a hash of its token, surveys.auth.axes_username),
# so spent links clicked in one office lock out only those links, not everyone's
# links from the office's IP address (issue #13 point 9). Staff lift a lockout
# in the admin (Axes › Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Across addresses and links: AXES_IP_FAILURE_LIMIT failures from one IP address
# within AXES_IP_FAILURE_WINDOW_MINUTES refuse every sign-in from it until the
# oldest of them leaves the window. Axes has one limit for all its parameters, so
# this one is counted by our handler on axes' failure log.
AXES_HANDLER = "surveys.auth.SignInHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 100)
AXES_IP_FAILURE_WINDOW_MINUTES = env_int("AXES_IP_FAILURE_WINDOW_MINUTES", 60)
# Our lockout page says which limit was reached, without showing a link's hash.
AXES_LOCKOUT_CALLABLE = "surveys.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The field name of Django's AuthenticationForm (ours and the admin's).
AXES_USERNAME_FORM_FIELD = "username"
# Lower-cased, like the sign-in itself, so "A@x.se" and "a@x.se" share one count.
AXES_USERNAME_CALLABLE = "surveys.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "surveys.auth.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Masked in axes' logs and attempt rows; "sesame" is the magic-link token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "sesame"]
# Sign-in records (attempt counters, successful and failed sign-ins) hold e-mail
# and IP addresses: beat deletes those older than this many days every night
# (surveys.tasks.delete_old_sign_in_records, scheduled below).
AXES_LOG_RETENTION_DAYS = env_int("AXES_LOG_RETENTION_DAYS", 90)
if AXES_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AXES_LOG_RETENTION_DAYS must be at least 1")
# No start-up banner in every manage.py command; failures are still logged.
AXES_VERBOSE = False
# How many reverse proxies that append to X-Forwarded-For sit in front of the app
# (0: use REMOTE_ADDR). Without it every client has the proxy's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Magic links: valid for SESAME_MAX_AGE seconds (default 7 days) and once only
# (the token is tied to the last sign-in, which using it updates). Setting a
# password also invalidates outstanding links (django-sesame's default).
SESAME_MAX_AGE = env_int("SESAME_MAX_AGE", 7 * 24 * 60 * 60)
SESAME_ONE_TIME = True

# The respondent form saves unsaved changes this often (seconds), besides when
# the tab is hidden or closed; browser tests shorten it.
AUTOSAVE_SECONDS = env_int("AUTOSAVE_SECONDS", 20)

# The interface speaks Swedish, and only Swedish: without LocaleMiddleware (which
# would choose among one language on every request) every request is in
# LANGUAGE_CODE, Django's own texts included.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
# Swedish for third-party apps without it (django-axes): `make messages`.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Export and import files: a folder (MEDIA_ROOT: in compose.yaml a volume web and
# worker share) unless STORAGE_BACKEND names another Django storage, e.g.
# "storages.backends.s3.S3Storage" (django-storages, S3-compatible object storage)
# with its options as JSON in STORAGE_OPTIONS. Code reaches files only through the
# storage API (job.file), never by path.
STORAGES = {
    "default": {
        "BACKEND": env_str(
            "STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(env_str("STORAGE_OPTIONS", "{}")),
    },
    # Compressed but not manifest-hashed, so templates render before collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Celery: in-process (eager) unless a broker is configured (Redis in production and CI).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down must not hold a request: publishing gives up within about
# two seconds, the outbox row stays pending and beat sends it later
# (outbox/services.py, docs/background-work.md).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # An unacknowledged message (a worker died holding it) is delivered again
    # after this long; exports claim their job, so a redelivery while the first
    # run is alive changes nothing.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600),
}
# Workers keep retrying the broker instead of exiting when it is down at start.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_HEARTBEAT_SECONDS = env_int("CELERY_HEARTBEAT_SECONDS", 60)
# /healthz fails when beat's last heartbeat is older than this (three missed
# beats by default), and gives each service this long to answer.
HEALTH_BEAT_MAX_AGE_SECONDS = env_int(
    "HEALTH_BEAT_MAX_AGE_SECONDS", 3 * CELERY_HEARTBEAT_SECONDS
)
HEALTH_TIMEOUT_SECONDS = env_int("HEALTH_TIMEOUT_SECONDS", 3)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Periodic jobs (reminders, clean-up) are added here, one commented entry each.
    "heartbeat": {
        # Proves that beat, the broker and a worker are alive: the worker records
        # it (health.Heartbeat) and /healthz reports its age.
        "task": "health.tasks.heartbeat",
        "schedule": CELERY_HEARTBEAT_SECONDS,
    },
    "mailing-rounds": {
        # Sends staff's scheduled information letters and reminder rounds whose
        # time has come (surveys.services.rounds); idempotent, so a round fires
        # once however often this runs. Every minute: scheduled to the minute.
        "task": "surveys.tasks.run_due_rounds",
        "schedule": env_int("MAILING_ROUNDS_SECONDS", 60),
    },
    "outbox-redispatch": {
        # Publishes outbox rows whose after-commit dispatch failed (broker down).
        "task": "outbox.tasks.redispatch_pending",
        "schedule": env_int("OUTBOX_REDISPATCH_SECONDS", 60),
    },
    "outbox-retention": {
        # Deletes dispatched outbox rows older than OUTBOX_RETENTION_DAYS, nightly.
        "task": "outbox.tasks.delete_sent",
        "schedule": crontab(hour=3, minute=41),
    },
    "export-recover-jobs": {
        # Re-queues (or fails) export jobs whose worker stopped sending heartbeats,
        # re-sends jobs left queued, and fails jobs past their time limit.
        "task": "reports.tasks.recover_export_jobs",
        "schedule": env_int("EXPORT_RECOVERY_SECONDS", 60),
    },
    "export-retention": {
        # Deletes export files older than EXPORT_RETENTION_DAYS, once an hour.
        "task": "reports.tasks.delete_expired_export_files",
        "schedule": 3600,
    },
    "delete-old-sign-in-records": {
        # Every night at 03:17 (Swedish time): sign-in records older than
        # AXES_LOG_RETENTION_DAYS are personal data we no longer need.
        "task": "surveys.tasks.delete_old_sign_in_records",
        "schedule": crontab(hour=3, minute=17),
    },
}

# Export jobs (reports): the task's soft time limit, after which a job is failed;
# how long finished files are kept (the job rows and manifests stay); and how often
# at most a job's progress row is updated under the same message.
EXPORT_JOB_TIMEOUT_SECONDS = env_int("EXPORT_JOB_TIMEOUT_SECONDS", 30 * 60)
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 30)
EXPORT_PROGRESS_INTERVAL_SECONDS = env_int("EXPORT_PROGRESS_INTERVAL_SECONDS", 1)
# A running job's worker writes a heartbeat every EXPORT_HEARTBEAT_SECONDS; a job
# whose heartbeat is older than EXPORT_STALE_SECONDS lost its worker, and beat
# re-queues it (at most EXPORT_MAX_ATTEMPTS runs in all, then it is failed). A job
# still queued after EXPORT_STALE_SECONDS is published again; one queued longer
# than EXPORT_QUEUE_TIMEOUT_SECONDS is failed, so none waits forever.
EXPORT_HEARTBEAT_SECONDS = env_int("EXPORT_HEARTBEAT_SECONDS", 15)
EXPORT_STALE_SECONDS = env_int("EXPORT_STALE_SECONDS", 120)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 2)
EXPORT_QUEUE_TIMEOUT_SECONDS = env_int("EXPORT_QUEUE_TIMEOUT_SECONDS", 2 * 60 * 60)
if EXPORT_HEARTBEAT_SECONDS * 2 > EXPORT_STALE_SECONDS:
    raise ImproperlyConfigured(
        "EXPORT_STALE_SECONDS must be at least twice EXPORT_HEARTBEAT_SECONDS"
    )

# Outbox (docs/background-work.md): a row still pending this long after it was
# made is published again by beat; dispatched rows are kept this many days.
OUTBOX_REDISPATCH_AFTER_SECONDS = env_int("OUTBOX_REDISPATCH_AFTER_SECONDS", 30)
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 14)

# E-mail goes to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Whom users contact about the service: on the accessibility statement and the
# personal-data page (Socialstyrelsen's registry by default).
SERVICE_CONTACT_EMAIL = env_str(
    "SERVICE_CONTACT_EMAIL", "socialstyrelsen@socialstyrelsen.se"
)
SERVICE_CONTACT_PHONE = env_str("SERVICE_CONTACT_PHONE", "075-247 30 00")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Nära vård-uppföljningen <noreply@localhost>"
)

# --- Sessions -----------------------------------------------------------------------
# A public e-service on shared office computers: a session ends after
# SESSION_IDLE_MINUTES without a request (autosaves count), SESSION_MAX_HOURS after
# signing in whatever happens, and when the browser closes
# (surveys.middleware.SessionLifetimeMiddleware; README "Sessions").
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 8)
if SESSION_IDLE_MINUTES < 1 or SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(
        "SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be >= 1"
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# The stored session row expires with the absolute limit too (Django's default is
# two weeks); the middleware enforces the idle limit.
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
# Django's database sessions, read with a query compiled once (issue #20).
SESSION_ENGINE = "surveys.sessions"

# --- HTTPS and security headers ------------------------------------------------------
# Off by default so the local demo works over plain http; `.env.example`, the
# production example, turns them all on (and `manage.py check --deploy` passes).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health probe comes from inside the host over plain http (compose.yaml).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy, the header that proxy sets (and overwrites) to
# say the client used https, as "HEADER,value", e.g. "HTTP_X_FORWARDED_PROTO,https".
# Empty (the default): trust no header, since without such a proxy any client
# could send it and pass for https.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = (
    (_proxy_ssl_header[0], _proxy_ssl_header[1]) if _proxy_ssl_header else None
)

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only
# from our own origin, so no inline <script>, <style>, style="" or on…= handler
# runs (tests/test_security_headers.py scans the templates). Pages are never
# framed, forms post only to us, and no plugin or <base> can redirect anything.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# The API (issue #18, docs/api.md): a personal token or the browser's session
# (with CSRF); a read token only reads; errors as JSON in Swedish.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScopePermission",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.CallerRateThrottle",
        "api.throttling.AnonymousRateThrottle",
    ],
    # Per token (or per signed-in user), and per IP address without credentials.
    "DEFAULT_THROTTLE_RATES": {
        "caller": env_str("API_THROTTLE_RATE", "600/min"),
        "anon": env_str("API_ANON_THROTTLE_RATE", "60/min"),
    },
    # The client's address for the anonymous throttle, as for sign-ins: with 0,
    # REMOTE_ADDR only (DRF would otherwise trust any X-Forwarded-For it is sent).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # OPTIONS answers 405: the schema at /api/schema/ describes the API.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The longest a personal API token may be valid (days).
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

SPECTACULAR_SETTINGS = {
    "TITLE": "Nära vård-uppföljningen API",
    "DESCRIPTION": "Enkäter, svar, tabeller och exporter. Se docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files: the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_common_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The largest Excel copy of a kommun questionnaire that may be uploaded (bytes);
# a filled-in copy is well under 1 MB.
EXCEL_UPLOAD_MAX_BYTES = env_int("EXCEL_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# What an uploaded .xlsx may unpack to (surveys/xlsx_safety/, issue #13): each
# sheet or the shared strings, each other part (styles, workbook, relations,
# themes), and all parts together. Real sizes, counted while unpacking.
XLSX_PART_MAX_BYTES = env_int("XLSX_PART_MAX_BYTES", 50 * 1024 * 1024)
XLSX_SMALL_PART_MAX_BYTES = env_int("XLSX_SMALL_PART_MAX_BYTES", 5 * 1024 * 1024)
XLSX_UNPACKED_MAX_BYTES = env_int("XLSX_UNPACKED_MAX_BYTES", 150 * 1024 * 1024)
# A raw-data import above this size is checked and imported by a Celery task
# (reports.ImportJob) instead of the web request; a typical file is well under.
IMPORT_IN_WORKER_BYTES = env_int("IMPORT_IN_WORKER_BYTES", 1024 * 1024)

if PRODUCTION:
    _problems = production.problems(
        secret_key=SECRET_KEY,
        debug=DEBUG,
        email_host=EMAIL_HOST,
        allowed_hosts=env_list("ALLOWED_HOSTS", []),
        oidc_discovery_url=OIDC_DISCOVERY_URL,
        oidc_client_id=OIDC_CLIENT_ID,
        oidc_client_secret=OIDC_CLIENT_SECRET,
    )
    if _problems:
        raise ImproperlyConfigured(
            "PRODUCTION=true, but: " + "; ".join(_problems) + " (see .env.example)"
        )
