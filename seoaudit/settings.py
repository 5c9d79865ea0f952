"""Settings come only from the environment (django-environ), with embedded defaults that work
with nothing configured: SQLite under var/, a filesystem Celery broker, local-memory cache.
Setting DATABASE_URL and REDIS_URL switches to production services (see README)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

VAR_DIR = Path(env("SEOAUDIT_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASE_URL = env("DATABASE_URL", default="")
REDIS_URL = env("REDIS_URL", default="")
#: "production" when both services are configured, "embedded" when neither, else "mixed".
RUN_MODE = "production" if DATABASE_URL and REDIS_URL else (
    "embedded" if not DATABASE_URL and not REDIS_URL else "mixed")

DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """A per-installation key kept under var/ so sessions survive restarts in embedded mode."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    # --- API platform (api-core) ---
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "audits",
    "reports",
    "keywords",
    "webhooks",
    "ai",
]

MIDDLEWARE = [
    "seoaudit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "seoaudit.urls"
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
            ],
        },
    },
]
WSGI_APPLICATION = "seoaudit.wsgi.application"
ASGI_APPLICATION = "seoaudit.asgi.application"

if DATABASE_URL:
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", default=str(VAR_DIR / "seoaudit.sqlite3")),
            # WAL lets the web server read while the worker writes; the timeout rides out
            # the short write locks of batch inserts.
            "OPTIONS": {
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request until collectstatic ran

# --- Celery -------------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than the longest audit, so an unacknowledged (acks_late) task is not redelivered
    # to a second worker while the first still runs it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "store_processed": False,
    }

# --- The audit engine ----------------------------------------------------------------------
#: Allow audits of loopback/private addresses. Off in production; tests and local staging
#: audits turn it on explicitly (the CLI has --allow-private).
SEOAUDIT_ALLOW_PRIVATE_NETWORKS = env.bool("SEOAUDIT_ALLOW_PRIVATE_NETWORKS", default=False)
SEOAUDIT_USER_AGENT = env("SEOAUDIT_USER_AGENT", default="")
SEOAUDIT_DEFAULT_MAX_PAGES = env.int("SEOAUDIT_DEFAULT_MAX_PAGES", default=500)
SEOAUDIT_MAX_PAGES_LIMIT = env.int("SEOAUDIT_MAX_PAGES_LIMIT", default=100_000)
#: Parse worker processes per crawl ("" = one per CPU beyond the first).
SEOAUDIT_PARSE_WORKERS = env.int("SEOAUDIT_PARSE_WORKERS", default=None)
#: A RUNNING audit whose heartbeat is older than this is considered abandoned and may be
#: taken over by a redelivered task.
SEOAUDIT_STALE_AUDIT_SECONDS = env.int("SEOAUDIT_STALE_AUDIT_SECONDS", default=600)

# --- API platform: authentication, errors, pagination, OpenAPI (api-core) ------------------
REST_FRAMEWORK = {
    # One bearer scheme: local JWT, Auth0 JWT or personal API token (seoaudit/api/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": ["seoaudit.api.authentication.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "seoaudit.api.pagination.CursorPage",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "seoaudit.api.errors.api_exception_handler",
}
#: Local accounts: short-lived HS256 access tokens with our own issuer and audience, so a
#: local token is never mistaken for an Auth0 one and vice versa.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUDIENCE": "seoaudit-api",
    "ISSUER": env("JWT_ISSUER", default="seoaudit"),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
#: Auth0 (off unless AUTH0_DOMAIN or AUTH0_ISSUER, and AUTH0_AUDIENCE, are set): RS256 tokens
#: verified with the tenant's JWKS.
AUTH0_DOMAIN = env("AUTH0_DOMAIN", default="")
AUTH0_ISSUER = env("AUTH0_ISSUER", default=f"https://{AUTH0_DOMAIN}/" if AUTH0_DOMAIN else "")
AUTH0_AUDIENCE = env("AUTH0_AUDIENCE", default="")
AUTH0_JWKS_URL = env("AUTH0_JWKS_URL",
                     default=f"{AUTH0_ISSUER.rstrip('/')}/.well-known/jwks.json" if AUTH0_ISSUER else "")
AUTH0_ALGORITHMS = ["RS256"]
AUTH0_LEEWAY_S = env.int("AUTH0_LEEWAY_SECONDS", default=30)
AUTH0_JWKS_CACHE_S = env.int("AUTH0_JWKS_CACHE_SECONDS", default=600)
AUTH0_JWKS_REFRESH_COOLDOWN_S = env.float("AUTH0_JWKS_REFRESH_COOLDOWN_SECONDS", default=30.0)
AUTH0_JWKS_TIMEOUT_S = 5.0
#: /health/ready: how long the broker may take to answer.
HEALTH_BROKER_TIMEOUT_S = 2.0
SPECTACULAR_SETTINGS = {
    "TITLE": "SEO & GEO audit API",
    "DESCRIPTION": "Audits, their pages, links, findings and scores; the check catalog; search. "
                   "Authenticate with `Authorization: Bearer <token>`. Errors always have the shape "
                   '`{"error": {"code", "message", "details"}}`. Unversioned `/api/<path>` answers '
                   "308 to `/api/v1/<path>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # local assets, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "seoaudit.api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {"AuditStatusEnum": "audits.models.Audit.Status",
                            "SeverityEnum": "audits.models.Finding.Severity",
                            "HealthStatusEnum": ["ok", "unavailable"],
                            "HealthSummaryStatusEnum": ["ok", "degraded"]},
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- Logging -------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="json" if RUN_MODE == "production" else "console")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
from .logging import configure_logging  # noqa: E402

LOGGING_CONFIG = None
configure_logging(fmt=LOG_FORMAT, level=LOG_LEVEL)

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False,
                    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
                    environment=env("SENTRY_ENVIRONMENT", default=RUN_MODE))
