"""Strata's settings. Every value that differs between machines comes from the environment."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url

from strata.env import (
    SettingsError,
    env_allow_list,
    env_bool,
    env_int,
    env_list,
    env_seconds,
    env_service_url,
    env_str,
    private_file,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("STRATA_DATA_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Short links' own domain (https://acme.link, served by this Strata; add its host to
# ALLOWED_HOSTS); empty: SITE_URL. Checked here, so that a bad value stops `strata` with words.
STRATA_LINK_DOMAIN = env_str("STRATA_LINK_DOMAIN", "")
if STRATA_LINK_DOMAIN:
    from strata.analytics.links.domain import domain_problem

    if problem := domain_problem(STRATA_LINK_DOMAIN):
        raise SettingsError(f"STRATA_LINK_DOMAIN={STRATA_LINK_DOMAIN!r}: {problem}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its static files: the API reference is served by Strata, not from a CDN
    "strata.web",
    "strata.accounts",
    "strata.strategy",
    "strata.publishing",
    "strata.engagement",
    "strata.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "strata.web.middleware.RefuseNulMiddleware",
    "strata.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "strata.web.middleware.ForbiddenMiddleware",
    "strata.web.middleware.WorkspaceTimezoneMiddleware",
]

ROOT_URLCONF = "strata.urls"
WSGI_APPLICATION = "strata.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "strata.web.context.navigation",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'strata.sqlite3'}"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        )
    }
except ValueError:  # dj_database_url's unknown scheme, or a port that is not a number
    raise SettingsError(
        f"DATABASE_URL={env_str('DATABASE_URL', '')!r}: expected postgres://user@host:port/name or sqlite:////absolute/path"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own cursors bind in the client and are never prepared; the delivery hot path
    # (publishing/claims.py) binds on the server and asks for its few statements to be prepared,
    # which halves what PostgreSQL spends on each. A pooler that cannot carry prepared statements
    # (PgBouncer before 1.21 in transaction mode) needs DATABASE_PREPARED_STATEMENTS=0.
    DATABASES["default"]["OPTIONS"] = {"prepare_threshold": 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readable by Strata's account only, like the keys; SQLite gives its -wal and -shm files the
    # database file's mode. Created here because SQLite would create it with the umask's.
    if not str(DATABASES["default"]["NAME"]).startswith((":memory:", "file:")):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets the in-process worker write while pages read; IMMEDIATE avoids lock upgrades
    # that would otherwise fail with "database is locked" under concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The embedded default keeps tasks in the database; at scale, TASKS_BACKEND=django_tasks_rq.RQBackend
# puts them on Redis (REDIS_URL) for `strata rqworker --job-class django_tasks_rq.Job default`.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    if not REDIS_URL:
        raise SettingsError("TASKS_BACKEND=django_tasks_rq.RQBackend needs REDIS_URL")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 900}}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (accounts/throttle.py), counted in LOGIN_WINDOW seconds: after LOGIN_ATTEMPTS
# failures for an account from one client address, that address may not try the account again; from
# then on each further failure doubles a wait (from one second up to LOGIN_WINDOW) before anyone
# may try the account, so that an attacker slows the owner down but cannot keep them out. A client
# address is refused for every account after LOGIN_CLIENT_ATTEMPTS failures.
LOGIN_ATTEMPTS = env_int("LOGIN_ATTEMPTS", 5)
LOGIN_CLIENT_ATTEMPTS = env_int("LOGIN_CLIENT_ATTEMPTS", 20)
LOGIN_WINDOW = env_int("LOGIN_WINDOW", 900)
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated);
# the client is the right-most address of the chain that is not one of them (accounts/clientaddr.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise SettingsError(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a range such as 10.0.0.0/8") from None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production behind TLS (README, "Running it elsewhere"); the Content-Security-Policy is in
# strata/web/middleware.py. HSTS is off until asked for: browsers remember it for its whole
# duration, so a site that has to go back to plain HTTP would be unreachable meanwhile.
SECURE_HSTS_SECONDS = env_seconds("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Only behind a proxy that terminates TLS and sets X-Forwarded-Proto itself (overwriting what a
# client sent): otherwise any client could claim its plain request was secure.
if env_bool("STRATA_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Strata <strata@localhost>")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks for it even when serving from the apps
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "uploads"
# A claim older than this is taken over by another worker (see publishing/delivery.py).
PUBLISH_LEASE_SECONDS = env_int("PUBLISH_LEASE_SECONDS", 300)
# Strata connects only to public servers on a member's behalf (webhooks, PDS, instances, SMTP);
# comma-separated host names, addresses and CIDR ranges here may be private (self-hosted servers).
STRATA_ALLOW_PRIVATE_HOSTS = env_allow_list("STRATA_ALLOW_PRIVATE_HOSTS")
# The Bluesky event stream listened to for the whole installation: a relay (wss://bsky.network)
# or a PDS; `strata ingest` reads its com.atproto.sync.subscribeRepos. Empty: not read.
STRATA_BLUESKY_STREAM = env_service_url("STRATA_BLUESKY_STREAM")
# The stream names authors by DID only; this Bluesky AppView (https://public.api.bsky.app) gives
# their handles (verified by the AppView) and display names. Empty: authors stay named by DID.
STRATA_BLUESKY_APPVIEW = env_service_url("STRATA_BLUESKY_APPVIEW", schemes=("https", "http"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024  # a 5 MB plan plus form overhead

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
