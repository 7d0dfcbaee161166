"""Django settings for Waypoint.

Configuration comes from the environment only (see docs/ARCHITECTURE.md and the contract):
``DATABASE_URL``, ``WAYPOINT_SECRET_KEY``, ``WAYPOINT_DEBUG``, ``WAYPOINT_HTTPS``.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# The project's var/ folder: src/waypoint -> src -> project root. Overridable for installs
# outside a checkout.
PROJECT_DIR = Path(os.environ.get("WAYPOINT_HOME", PACKAGE_DIR.parent.parent))
VAR_DIR = PROJECT_DIR / "var"

DEBUG = os.environ.get("WAYPOINT_DEBUG", "0") == "1"
HTTPS = os.environ.get("WAYPOINT_HTTPS", "0") == "1"

SECRET_KEY = os.environ.get("WAYPOINT_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-debug-only-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "WAYPOINT_SECRET_KEY is not set. Waypoint refuses to start without it outside debug "
            "mode. Set it to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "WAYPOINT_DEBUG=1 for local development only."
        )

# --- Hosts and proxies (issue 16) -----------------------------------------------------------
# The loopback names, plus the names the server is reached by (WAYPOINT_ALLOWED_HOSTS,
# comma-separated): no "*" default, so a forged Host header gets 400. (Django's test runner
# adds its "testserver".)
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = LOOPBACK_HOSTS + [
    h.strip() for h in os.environ.get("WAYPOINT_ALLOWED_HOSTS", "").split(",") if h.strip()
]
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks,
# comma-separated; none by default): core/netaddr.py's client_address(), the one function
# the audit trail, the public contact form's limits and django-axes ask.
WAYPOINT_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("WAYPOINT_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in WAYPOINT_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"WAYPOINT_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (CIDR), "
            "e.g. 127.0.0.1,10.0.0.0/8"
        ) from _exc

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    "waypoint.core",
    "waypoint.audit",
    "waypoint.patients",
    "waypoint.intake",
    "waypoint.assessments",
    "waypoint.care",
    "waypoint.medication",
    "waypoint.labs",
    "waypoint.incentives",
    "waypoint.directory",
    "waypoint.privacy",
    "waypoint.recovery",
    "waypoint.notes",
    "waypoint.reports",
    "waypoint.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waypoint.core.middleware.SecurityHeadersMiddleware",
    "waypoint.core.middleware.BusyMiddleware",
    "waypoint.core.middleware.SiteTimezoneMiddleware",
    # second factor and session lifetime (issue 16; core/middleware.py)
    "django_otp.middleware.OTPMiddleware",
    "waypoint.core.middleware.SessionLifetimeMiddleware",
    "waypoint.core.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]
# What only a signed-in person's session needs: an API or FHIR request that carries no
# session cookie (a bearer token's) is served without them (waypoint/wsgi.py, issue 21).
SESSION_ONLY_MIDDLEWARE = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "waypoint.core.middleware.SessionLifetimeMiddleware",
    "waypoint.core.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
)

ROOT_URLCONF = "waypoint.urls"
WSGI_APPLICATION = "waypoint.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waypoint.core.context.waypoint",
            ],
            "builtins": ["waypoint.core.templatetags.waypoint"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DEFAULT_SQLITE = VAR_DIR / "waypoint.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)


# --- Private database files (issue 16) ------------------------------------------------------
def _private_sqlite(path: Path) -> None:
    """The SQLite file is made 0600 before SQLite opens it (SQLite gives its -wal and -shm
    files the database file's mode), its folder made 0700, and var/ kept 0700. An install
    from before keeps its files, their modes narrowed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if VAR_DIR.is_dir() and VAR_DIR.stat().st_mode & 0o077:
            VAR_DIR.chmod(0o700)
    except PermissionError:  # not ours: leave it
        pass
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if f.stat().st_mode & 0o077:
                f.chmod(0o600)
        except (FileNotFoundError, PermissionError):
            pass


if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:" and not str(_db["NAME"]).startswith("file:"):
        _private_sqlite(Path(_db["NAME"]))
    # Django's backend, with writers queued on a lock file instead of SQLite's sleep-and-retry
    # busy handler (core/db/sqlite3/base.py).
    _db["ENGINE"] = "waypoint.core.db.sqlite3"
    # A worker keeps its connection (as on PostgreSQL): opening one costs the file's open, the
    # PRAGMAs below and, when it was the last one, a WAL checkpoint at its close — about a
    # fifth of a dose's time when every request opened and closed its own (docs/BENCHMARKS.md).
    _db["CONN_MAX_AGE"] = 600
    _db["CONN_HEALTH_CHECKS"] = True
    _db["OPTIONS"] = {
        # Every transaction takes the write lock at BEGIN: no "database is locked" upgrade
        # deadlocks between two writers that both read first.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            # (a transaction's commit waits for the disk once it has let the writers'
            # lock go: core/db/sqlite3/base.py)
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
else:
    _db["CONN_MAX_AGE"] = 60
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): 5 failures lock the username for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("WAYPOINT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
# Cleared when a sign-in is complete (after the second factor), not at the password step:
# core/lockout.py
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Sign-in security (issue 16: second factor, lockout by address, throttle, lifetimes) --
# docs/SIGN-IN.md. Lock on the username OR the client address (either reaching its limit);
# the address has its own, higher limit (core/lockout.py), since a clinic's staff often share
# one address. The client address is the project's one function (core/lockout.py).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "waypoint.core.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "waypoint.core.lockout.client_ip"
WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
)
# Every sign-in POST (right or wrong) from one address: at most this many per window.
WAYPOINT_SIGNIN_THROTTLE_LIMIT = int(os.environ.get("WAYPOINT_SIGNIN_THROTTLE_LIMIT", "30"))
WAYPOINT_SIGNIN_THROTTLE_SECONDS = 300
# A session ends this long after its sign-in, however active (besides the idle timeout).
WAYPOINT_SESSION_MAX_SECONDS = int(os.environ.get("WAYPOINT_SESSION_MAX_HOURS", "12")) * 3600
# Roles that must use a second factor (others may enrol from their account page).
WAYPOINT_MFA_REQUIRED_ROLES = ("admin", "physician", "auditor", "privacy_officer")
OTP_TOTP_ISSUER = "Waypoint"
# API tokens: how long a new one lasts, and how often its last use is written at most.
WAYPOINT_TOKEN_DAYS = int(os.environ.get("WAYPOINT_TOKEN_DAYS", "90"))
# The largest transaction Bundle POST /fhir/r4/ reads (413 beyond); it reads the body itself,
# so DATA_UPLOAD_MAX_MEMORY_SIZE (for forms) does not refuse a patient's whole record.
WAYPOINT_FHIR_MAX_BUNDLE_BYTES = int(
    os.environ.get("WAYPOINT_FHIR_MAX_BUNDLE_BYTES", str(20 * 1024 * 1024))
)
WAYPOINT_TOKEN_LAST_USED_SECONDS = 300

# Idle sessions end after 15 minutes: the cookie's age is renewed on every request.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]

# --- Static files (served by WhiteNoise from the package; nothing from another host) -----
STATIC_URL = "/static/"
STATIC_ROOT = None  # served from the package by WhiteNoise (WHITENOISE_USE_FINDERS)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# Real public data next to the project (../shared/data): the demo loads SAMHSA's directory
# from there when it exists. Overridable for installs elsewhere.
SHARED_DATA_DIR = Path(
    os.environ.get("WAYPOINT_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data")
)
# How often a server process checks whether the directory changed (index.py).
WAYPOINT_DIRECTORY_RECHECK_SECONDS = 1.0

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "ERROR"}},
}
