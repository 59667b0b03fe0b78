"""Settings of Mutualis, read from the environment; every variable is in .env.example."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from mutualis.config.env import env_bool, env_int, env_list, env_str
from mutualis.config.secret import load_or_create_secret_key

# Lets classes subscript Django generics at run time (forms.ModelForm[Member], admin.ModelAdmin[…]).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent

DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("MUTUALIS_DATA_DIR", str(BASE_DIR / "var"))).resolve()

# Unset, the key is generated once into the data directory (mode 0600) and reused.
SECRET_KEY = env_str("SECRET_KEY") or load_or_create_secret_key(DATA_DIR)

# Unset, the instance answers only on this machine (demo); `mutualis check` says so.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ",".join(LOOPBACK_HOSTS))
LOCAL_ONLY = all(host in LOOPBACK_HOSTS for host in ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "mutualis.accounts",
    "mutualis.refdata",
    "mutualis.territories",
    "mutualis.inventory",
    "mutualis.jobs",
    "mutualis.scenarios",
    "mutualis.conventions",
    "mutualis.operations",
    "mutualis.deploy",
]

MIDDLEWARE = [
    "mutualis.deploy.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mutualis.deploy.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mutualis.config.urls"
CSRF_FAILURE_VIEW = "mutualis.deploy.views.csrf_failure"
WSGI_APPLICATION = "mutualis.config.wsgi.application"

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
                "mutualis.navigation.context.navigation",
            ],
            "builtins": ["mutualis.templatetags.mutualis"],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    # The embedded default: SQLite in the data directory, created on first use.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'mutualis.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL n'est pas une adresse de base valide : {exc}"
    ) from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web server writes from several threads and processes: WAL lets readers run beside
    # one writer, IMMEDIATE takes the write lock when a transaction starts (no deadlocked
    # upgrade), and a writer waits up to the busy timeout instead of failing "locked".
    SQLITE_BUSY_TIMEOUT_SECONDS = env_int("SQLITE_BUSY_TIMEOUT", 20)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000};"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: a username/address pair is locked after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: refused while streaming above this size (UploadLimitMiddleware), in bytes.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Finished export files stay downloadable this long, then `mutualis jobs cleanup` drops them.
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 7)
# A scenario with more members than this computes its results in the background (the page
# shows the job's progress) instead of inside the request.
SCENARIO_BACKGROUND_MEMBERS = env_int("SCENARIO_BACKGROUND_MEMBERS", 40)
# The worker runs the daily tasks (convention alert e-mails) once a day from this hour on.
DAILY_TASKS_HOUR = env_int("DAILY_TASKS_HOUR", 6)
# /healthz reports the worker as missing after this many seconds without a heartbeat.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)

# E-mail: printed on the console unless an SMTP server is named (EMAIL_HOST).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mutualis@localhost")

# Conventions: alert window before a notice or end date; size limit of a signed scan.
CONVENTION_ALERT_DAYS = env_int("CONVENTION_ALERT_DAYS", 90)
CONVENTION_SCAN_MAX_BYTES = env_int("CONVENTION_SCAN_MAX_BYTES", 20 * 1024 * 1024)

# Production hardening applies whenever DEBUG is off; an instance answering only on
# this machine (the demo, plain http) keeps cookies usable without HTTPS.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not LOCAL_ONLY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not LOCAL_ONLY)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a reverse proxy, django-axes must read the client's address from the header the
# proxy sets, or every failure counts against the proxy (lockout per username only).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "mutualis.deploy.client_ip.client_ip"
# Content-Security-Policy: everything from this host only (ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
