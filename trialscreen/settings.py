"""Settings for trialscreen, read from the environment.

Every value has a default that lets a fresh checkout run on SQLite. Malformed values
raise ImproperlyConfigured at start-up rather than being half-understood.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must list at least one value, comma-separated")
    return items


def env_rate(name: str, default: str) -> str:
    """A rate such as "20/m": that many requests in a second, minute, hour or day (or "100/10m")."""
    value = os.environ.get(name, default).strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a count per period such as 20/m or 100/h, not {value!r}")
    return value


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (refused when DEBUG is off)
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must not be the development key when DEBUG is false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_ratelimit",
    "auditlog",
    "screening",
    "screening.curation",
    "screening.staff",
    "screening.navigation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "trialscreen.middleware.private_pages_not_stored",
    "trialscreen.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: each audit log entry names the signed-in user who made the change.
    "auditlog.middleware.AuditlogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "screening.limits.WrongTokenLimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out sign-in is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "trialscreen.urls"
WSGI_APPLICATION = "trialscreen.wsgi.application"
ASGI_APPLICATION = "trialscreen.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    # Health checks: a kept connection that died while idle (a database restart) is replaced
    # at the next request instead of failing it.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions stop "database is locked" errors when the web
    # server reads while a sync writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # USWDS comes from npm (installed by the set-up command, never committed).
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# USWDS's stylesheet refers to a few images it does not ship in dist/.
WHITENOISE_MANIFEST_STRICT = False

LOGIN_URL = "staff:sign-in"
# Only staff have sessions (a patient's private link is her key), so these bound staff sign-ins:
# a session ends this many hours after signing in (or after it last changed), and its cookie when
# the browser closes, since navigators may work at shared computers.
SESSION_COOKIE_AGE = env_int("TRIALSCREEN_STAFF_SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# A patient's saved answers are deleted this many days after her last change
# (`python manage.py purge_screenings` removes them; run it daily).
SCREENING_RETENTION_DAYS = env_int("SCREENING_RETENTION_DAYS", 90, minimum=1)
# The questionnaire's forms are small: anything bigger is refused with a 400, not read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 64 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# ClinicalTrials.gov API v2
CTGOV_BASE_URL = env_str("CTGOV_BASE_URL", "https://clinicaltrials.gov/api/v2").rstrip("/")
if not CTGOV_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("CTGOV_BASE_URL must start with http:// or https://")
CTGOV_CONNECT_TIMEOUT = env_float("CTGOV_CONNECT_TIMEOUT", 5.0, minimum=0.1)
CTGOV_READ_TIMEOUT = env_float("CTGOV_READ_TIMEOUT", 30.0, minimum=0.1)
# Seconds between requests; the API asks for about one a second.
CTGOV_MIN_INTERVAL = env_float("CTGOV_MIN_INTERVAL", 1.0)
CTGOV_MAX_RETRIES = env_int("CTGOV_MAX_RETRIES", 4)
CTGOV_BACKOFF = env_float("CTGOV_BACKOFF", 1.0)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# Production is served over https. TRIALSCREEN_HTTPS=false is for production settings on plain
# http at a private address (scripts/start on 127.0.0.1): there, secure cookies would never come
# back, so every form would fail its CSRF check, and the redirect would lead nowhere.
HTTPS = env_bool("TRIALSCREEN_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Forms carry the token in a hidden field and htmx in the header base.html writes: no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True

# Only our own files, and no inline script or style unless it carries the request's nonce
# ({{ request.csp_nonce }}). htmx's indicator style is in static/css/site.css, not injected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Rate limits, per client address. The counters must be shared by every worker and host, so they
# live in the database: django-axes in its own tables, the others in this cache, whose table
# `migrate` makes (screening/apps.py runs createcachetable after it).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trialscreen_limits",
        # Expired counters are removed first; live ones must not be culled under a flood of addresses.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
RATE_LIMITS_ENABLED = env_bool("TRIALSCREEN_RATE_LIMITS", True)
RATE_LIMITS = {
    "start": env_rate("TRIALSCREEN_RATE_START", "20/m"),  # new questionnaires
    "wrong-token": env_rate("TRIALSCREEN_RATE_WRONG_TOKEN", "30/m"),  # private links that do not exist
    "share-lookup": env_rate("TRIALSCREEN_RATE_SHARE_LOOKUP", "60/m"),  # a navigator's case pages, per user
}
RATELIMIT_USE_CACHE = "limits"
RATELIMIT_IP_META_KEY = "screening.limits.client_ip"
RATELIMIT_VIEW = "screening.limits.too_many_requests"
# The database cache adds one by reading then writing, so requests from one address served at the
# same moment can be counted once: a flood still stops, at most a few times later per worker.
# django-ratelimit's check refuses any cache it cannot increment atomically (memcached, Redis).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# Behind a proxy every request comes from the proxy: the client is the address it appends to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = env_bool("TRIALSCREEN_TRUST_X_FORWARDED_FOR", False)

AXES_ENABLED = RATE_LIMITS_ENABLED
AXES_FAILURE_LIMIT = env_int("TRIALSCREEN_LOGIN_FAILURES", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TRIALSCREEN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# A name and an address together: one stranger guessing cannot lock the curators out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A plain page saying how long to wait, with Retry-After, on the staff sign-in and the admin's alike.
AXES_LOCKOUT_CALLABLE = "screening.staff.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "screening.limits.client_ip"

# The audit log (django-auditlog) records who did what to a shared case. Not addresses: patients act
# on their share too, and nothing identifying of theirs is kept; auditlog would also take the first
# X-Forwarded-For, which the client writes.
AUDITLOG_DISABLE_REMOTE_ADDR = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        name: {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")} for name in ("screening", "trialscreen")
    },
}
