"""Settings of the tool site: SQLite and an in-process cache by default, production from the environment.

Every production knob is an environment variable (12-factor), so the same code
runs the demo (`make demo`), the tests and a deployment behind a TLS proxy:
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (cache, nonces, launch data),
``ALLOWED_HOSTS``, ``SECRET_KEY``, ``LDAI_BEHIND_TLS_PROXY``. See docs/deployment.rst.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# --- Security and operator safety (issue 11): where the data lives, demo or production -------------------
# The data directory (database, secret key, uploaded files): LDAI_VAR_DIR, else var/ in the directory the
# command runs from. Never next to the code: installed by pip, that is site-packages, and a new virtualenv
# would wipe every registration (`ldai serve --check` refuses such a directory; `ldai serve` prints it).
VAR_DIR = Path(os.environ.get("LDAI_VAR_DIR") or Path.cwd() / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
# The demo (front page, persona launches, reset: lti_tool/pages/demo.py, and xblock-sdk's workbench, which runs
# any handler as any ?student=) is mounted only when LDAI_DEMO is on: `make demo` and `ldai serve --demo` turn
# it on, production never does.
LDAI_DEMO = _env_bool("LDAI_DEMO", False)
# --- end of the issue-11 block ------------------------------------------------------------------------------


def _secret_key() -> str:
    """From the environment in production; in the demo, a random key kept in var/ across restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
# Local addresses only by default; a deployment names its host. (Django's test runner adds 'testserver' itself.)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    *(["djpyfs", "workbench"] if importlib.util.find_spec("workbench") else []),  # the demo's models; its URLs: LDAI_DEMO
    "lti_tool",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lti_tool.site.demo.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lti_tool.site.urls"
WSGI_APPLICATION = "lti_tool.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ldai.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers writing at once: a deferred transaction that has read cannot take the
    # write lock and SQLite answers "database is locked" at once (500s under load, measured by
    # bench/bench_load.py). IMMEDIATE transactions queue for the lock instead, WAL lets readers
    # run beside the writer, and the timeout bounds the wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ldai"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing root even when it serves from the apps
# WhiteNoise serves static files from the apps' folders directly (no collectstatic step
# for the demo); a deployment may still run collectstatic and set this to False.
WHITENOISE_USE_FINDERS = _env_bool("WHITENOISE_USE_FINDERS", True)

# Behind a TLS-terminating proxy (nginx, a load balancer): trust its headers and
# serve cookies that an LMS iframe can send back (SameSite=None; Secure).
if _env_bool("LDAI_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    # --- issue 11: HTTPS only, so `manage.py check --deploy` is clean behind the proxy ---
    # HSTS: a year by default. includeSubDomains covers only names under the tool's own host. Preloading is a
    # decision about the whole registrable domain, so it is the operator's (LDAI_HSTS_PRELOAD=1) and its
    # check (security.W021) is silenced until then. /healthz stays reachable over plain http for probes.
    SECURE_HSTS_SECONDS = int(os.environ.get("LDAI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("LDAI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("LDAI_HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = _env_bool("LDAI_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)/?$"]  # the probes of a load balancer speak plain http
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The workbench (xblock-sdk) hosts the XBlocks in the demo; its file storage lives in var/.
DJFS = {"type": "osfs", "directory_root": str(VAR_DIR / "djpyfs"), "url_root": "/static/djpyfs"}
EXCLUDED_XBLOCKS: set[str] = set()
WORKBENCH = {
    "reset_state_on_restart": False,
    "services": {"fs": "xblock.reference.plugins.FSService", "settings": "workbench.services.SettingsService"},
}
MEDIA_ROOT = str(VAR_DIR / "media")
MEDIA_URL = "/media/"

# One settings key for both shells (Django settings here, XBLOCK_SETTINGS in Open edX).
# Secrets (the LLM key) come from the environment, never from block fields.
LDAI = {
    "LLM": {
        "backend": os.environ.get("LDAI_LLM_BACKEND", ""),  # "" = offline rubric only
        "model": os.environ.get("LDAI_LLM_MODEL", ""),
        "base_url": os.environ.get("LDAI_LLM_BASE_URL", ""),
        "api_key_env": "LDAI_LLM_API_KEY",
    },
    "CONFIDENTIAL_TERMS": [t for t in os.environ.get("LDAI_CONFIDENTIAL_TERMS", "").split(",") if t],
    # Server-side fetches (registration, JWKS, AGS, LLM) refuse loopback, private, link-local and metadata
    # addresses; list here the non-public hosts (names, IPs or networks) the tool may reach, e.g. an Ollama server.
    "HTTP_ALLOWED_HOSTS": [h.strip() for h in os.environ.get("LDAI_HTTP_ALLOWED_HOSTS", "").split(",") if h.strip()],
}
XBLOCK_SETTINGS = {"LDAI": LDAI}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"ldai": {"level": os.environ.get("LDAI_LOG_LEVEL", "INFO"), "propagate": True}},
}

# --- LTI-B: the tool's XBlock runtime and grade delivery (lti_tool.runtime, lti_tool.grades) ---
# Handler URLs carry a signed token bound to the launch; it expires after HANDLER_TOKEN_SECONDS.
# GRADES_IN_PROCESS: one machine (the demo, `ldai serve`) delivers grades from a thread of the web
# process; with several processes, set LDAI_GRADES_IN_PROCESS=0 and run `ldai lti send-grades`.
LDAI_LTI_RUNTIME = {
    "HANDLER_TOKEN_SECONDS": int(os.environ.get("LDAI_HANDLER_TOKEN_SECONDS", str(8 * 3600))),
    "GRADES_IN_PROCESS": _env_bool("LDAI_GRADES_IN_PROCESS", True),
    "GRADE_POLL_INTERVAL": 5,  # seconds between looks at the outbox when idle
    "GRADE_RETRY_BASE": 10,  # first retry after ~10 s, doubling...
    "GRADE_RETRY_MAX": 600,  # ...up to 10 min apart (a platform back up is served within 10 min)
    "GRADE_GIVE_UP_AFTER": 7 * 24 * 3600,  # then the row is marked failed (kept, retried from the admin)
    "HTTP_TIMEOUT": 10,  # seconds, AGS token/line item/score requests
}

# --- LTI-A: launch, registration and keys (lti_tool.conf reads these; defaults there) ---
# CLOCK_LEEWAY_SECONDS: tolerated clock skew on the id_token's iat/exp. FRAME_ANCESTORS: extra origins
# allowed to frame the tool besides the registered platforms (a Canvas school domain, comma-separated).
# ALLOW_INSECURE_URLS: accept http:// keyset/registration URLs (development only; default: DEBUG).
LDAI_LTI = {
    "CLOCK_LEEWAY_SECONDS": int(os.environ.get("LDAI_LTI_CLOCK_LEEWAY", "30")),
    "FRAME_ANCESTORS": [o.strip() for o in os.environ.get("LDAI_LTI_FRAME_ANCESTORS", "").split(",") if o.strip()],
    "ALLOW_INSECURE_URLS": _env_bool("LDAI_LTI_ALLOW_INSECURE_URLS", DEBUG),
    "DYNAMIC_REGISTRATION": _env_bool("LDAI_LTI_DYNAMIC_REGISTRATION", True),
    "KEY_ROTATION_GRACE_HOURS": int(os.environ.get("LDAI_LTI_KEY_GRACE_HOURS", "72")),
    "TOOL_NAME": os.environ.get("LDAI_LTI_TOOL_NAME", "AI literacy at work"),
}

# --- Background work and production layout (issue 13; lti_tool.celery_app, docs/deployment.rst) ---
# Without CELERY_BROKER_URL every task runs in the process that asks for it (the demo needs no broker:
# grades go through the in-process sender thread, LLM feedback through a thread of the web process).
# With it (redis://..., a database of its own beside the cache's), `celery -A lti_tool.celery_app worker`
# runs the tasks and `celery -A lti_tool.celery_app beat` the periodic grade sweep.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True  # the outbox and the cache hold the outcomes; no result backend to run
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves it in the queue for another
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # slow tasks (a 30 s LLM call) do not hold others back in one worker
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
LDAI_GRADE_SWEEP_SECONDS = float(os.environ.get("LDAI_GRADE_SWEEP_SECONDS", "15"))
CELERY_BEAT_SCHEDULE = {
    "ldai-sweep-grades": {"task": "ldai.sweep_grades", "schedule": LDAI_GRADE_SWEEP_SECONDS},
}
# Health: /healthz reports "degraded" when the oldest due grade waits longer than this (seconds).
LDAI_HEALTH_MAX_GRADE_LAG = float(os.environ.get("LDAI_HEALTH_MAX_GRADE_LAG", "900"))
# LDAI_LOG_FORMAT=json: one JSON object per log line (lti_tool.site.logs), from web and worker processes alike.
if os.environ.get("LDAI_LOG_FORMAT", "").strip().lower() == "json":
    LOGGING["formatters"] = {"json": {"()": "lti_tool.site.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through the same JSON handler
