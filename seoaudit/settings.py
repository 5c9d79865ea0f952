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
    "django_celery_beat",
    "webhooks",
    "ai",
    "pagespeed",
    "visibility",
    "dashboard",
    "analytics",
]

# --- Middleware (API platform: api-middleware) ----------------------------------------------
# Order matters: the request log sees every final status; forwarding headers are cleaned before
# SecurityMiddleware reads X-Forwarded-Proto; CORS headers go on validation errors too; the
# rate limiter needs the session user (AuthenticationMiddleware) and the resolved view.
MIDDLEWARE = [
    "seoaudit.middleware.RequestIdMiddleware",
    "seoaudit.middleware.TrustedProxyMiddleware",
    "seoaudit.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "seoaudit.middleware.RequestValidationMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "seoaudit.ratelimit.RateLimitMiddleware",
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
    #: Connections per web process kept by psycopg's pool (0 = no pool). Under ASGI every request
    #: runs its sync code in a thread of its own, so persistent per-thread connections
    #: (CONN_MAX_AGE) are opened per request and pile up; a pool hands them back at request end.
    DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=0)
    if DB_POOL_SIZE:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django requires it with a pool
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DB_POOL_SIZE), "max_size": DB_POOL_SIZE, "timeout": 10}
        #: With a pool, a health check is a round trip on every checkout (every request); the
        #: pool already drops connections that broke in use. Off unless DB_POOL_CHECK.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_POOL_CHECK", default=False)
        #: Server-side prepared statements after N runs of a query on a connection (psycopg's
        #: prepare_threshold); only with a pool of direct connections, not behind PgBouncer in
        #: transaction mode. Empty: off (Django's default).
        if env("DB_PREPARE_THRESHOLD", default=""):
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env.int("DB_PREPARE_THRESHOLD")
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

#: The cache may live in its own Redis database: Django's cache.clear() empties the whole
#: database (FLUSHDB), which would also drop Celery messages queued on a shared one.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
#: Report languages (reports app); translations under locale/.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
#: Generated report files (reports app); a shared volume when workers and web run apart.
SEOAUDIT_REPORT_DIR = Path(env("SEOAUDIT_REPORT_DIR", default=str(VAR_DIR / "reports")))
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request until collectstatic ran
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Progress pages: sign-in with Django's auth views (dashboard) ----------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:audit-list"
LOGOUT_REDIRECT_URL = "login"

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
        # Exchange tables (broadcast/control) under var/ too, not ./control in the checkout.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

# --- Keywords and rank tracking (keywords app; docs/keywords.md) -----------------------------
#: Celery beat reads and stores its schedule in the database (django-celery-beat): staff edit
#: it in the admin. The entries below are installed there when beat starts.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Every hour, the keywords whose slot (spread over 24 hours) has come and that have no
    # check today: every tracked keyword once a day, spread over the day.
    "keywords.track_due": {"task": "keywords.track_due", "schedule": 3600.0},
}
#: searxng | serpapi | serper | brave | "" (no provider: rank tracking says so).
SERP_PROVIDER = env("SERP_PROVIDER", default="")
SERP_SEARXNG_URL = env("SERP_SEARXNG_URL", default="")
SERP_SERPAPI_KEY = env("SERP_SERPAPI_KEY", default="")
SERP_SERPAPI_URL = env("SERP_SERPAPI_URL", default="https://serpapi.com/search.json")
SERP_SERPER_KEY = env("SERP_SERPER_KEY", default="")
SERP_SERPER_URL = env("SERP_SERPER_URL", default="https://google.serper.dev/search")
SERP_BRAVE_KEY = env("SERP_BRAVE_KEY", default="")
SERP_BRAVE_URL = env("SERP_BRAVE_URL", default="https://api.search.brave.com/res/v1/web/search")
#: Results looked at per keyword (positions beyond are "not in top N").
SERP_DEPTH = env.int("SERP_DEPTH", default=100)
#: Requests in flight at once per provider (one tracking run).
SERP_CONCURRENCY = env.int("SERP_CONCURRENCY", default=4)
SERP_TIMEOUT_S = env.float("SERP_TIMEOUT_SECONDS", default=30.0)
SERP_MAX_RETRIES = env.int("SERP_MAX_RETRIES", default=3)
#: Longest wait on a 429/503 Retry-After before giving up on that keyword for the run.
SERP_MAX_RETRY_WAIT_S = env.float("SERP_MAX_RETRY_WAIT_SECONDS", default=60.0)
#: Let the SERP client reach loopback/private addresses (a self-hosted SearXNG on the LAN).
SERP_ALLOW_PRIVATE_NETWORKS = env.bool("SERP_ALLOW_PRIVATE_NETWORKS", default=False)
#: Results kept per check ([position, url, title]).
SERP_KEEP_RESULTS = env.int("SERP_KEEP_RESULTS", default=10)
#: A `rank.changed` event when a keyword moves more than this many places.
RANK_CHANGE_THRESHOLD = env.int("RANK_CHANGE_THRESHOLD", default=5)

# --- The audit engine ----------------------------------------------------------------------
#: Allow audits of loopback/private addresses. Off in production; tests and local staging
#: audits turn it on explicitly (the CLI has --allow-private).
SEOAUDIT_ALLOW_PRIVATE_NETWORKS = env.bool("SEOAUDIT_ALLOW_PRIVATE_NETWORKS", default=False)
SEOAUDIT_USER_AGENT = env("SEOAUDIT_USER_AGENT", default="")
SEOAUDIT_DEFAULT_MAX_PAGES = env.int("SEOAUDIT_DEFAULT_MAX_PAGES", default=500)
SEOAUDIT_MAX_PAGES_LIMIT = env.int("SEOAUDIT_MAX_PAGES_LIMIT", default=100_000)
#: Parse worker processes per crawl ("" = one per CPU beyond the first).
SEOAUDIT_PARSE_WORKERS = env.int("SEOAUDIT_PARSE_WORKERS", default=None)
#: Pages rendered in headless Chromium after the crawl when an audit does not set
#: js_render_sample (0 = off). The engine finds Chromium through SEOAUDIT_CHROMIUM (default
#: /usr/bin/chromium); without it the audit reports the render sample as skipped.
SEOAUDIT_JS_RENDER_SAMPLE = env.int("SEOAUDIT_JS_RENDER_SAMPLE", default=10)
#: A RUNNING audit whose heartbeat is older than this is considered abandoned and may be
#: taken over by a redelivered task.
SEOAUDIT_STALE_AUDIT_SECONDS = env.int("SEOAUDIT_STALE_AUDIT_SECONDS", default=600)

# --- Distributed crawl (audits/distributed; docs/scaling.md) ------------------------------
#: Audits whose max_pages is above this run as work units on any Celery worker (production
#: mode only); smaller ones, and every audit in the embedded mode, keep the single task.
SEOAUDIT_DISTRIBUTED_MIN_PAGES = env.int("SEOAUDIT_DISTRIBUTED_MIN_PAGES", default=5000)
#: URLs one work unit claims and crawls.
SEOAUDIT_DISTRIBUTED_BATCH = env.int("SEOAUDIT_DISTRIBUTED_BATCH", default=200)
#: A claim not renewed for this long (its worker died) goes back to the queue (seconds).
SEOAUDIT_DISTRIBUTED_LEASE_SECONDS = env.float("SEOAUDIT_DISTRIBUTED_LEASE_SECONDS", default=60.0)
#: Claims of one URL before it is given up (it kills its worker every time).
SEOAUDIT_DISTRIBUTED_MAX_ATTEMPTS = env.int("SEOAUDIT_DISTRIBUTED_MAX_ATTEMPTS", default=3)
#: Units a unit enqueues at most when it ends and URLs wait (the crawl's fan-out).
SEOAUDIT_DISTRIBUTED_SPAWN = env.int("SEOAUDIT_DISTRIBUTED_SPAWN", default=2)
#: Celery queue of the work units ("" = Celery's routing, CELERY_TASK_ROUTES / default queue).
SEOAUDIT_DISTRIBUTED_QUEUE = env("SEOAUDIT_DISTRIBUTED_QUEUE", default="")
#: A finalizer that has not finished after this long (it died) is taken over (seconds).
SEOAUDIT_DISTRIBUTED_FINALIZE_LEASE_SECONDS = env.int(
    "SEOAUDIT_DISTRIBUTED_FINALIZE_LEASE_SECONDS", default=3600)

# --- Live progress: Server-Sent Events (audits/streams.py, docs/sse.md) -------------------
#: Seconds between `: heartbeat` comments on an idle stream.
SSE_HEARTBEAT_S = env.float("SSE_HEARTBEAT_S", default=15.0)
#: Open streams one user may hold per web worker process (more -> 429).
SSE_MAX_STREAMS_PER_USER = env.int("SSE_MAX_STREAMS_PER_USER", default=20)
#: Lifetime of a stream token from POST /api/v1/audits/{id}/stream-token (seconds).
SSE_STREAM_TOKEN_TTL = env.int("SSE_STREAM_TOKEN_TTL", default=300)
#: How often a stream reads the database when Redis pub/sub is not available (seconds).
SSE_POLL_INTERVAL_S = env.float("SSE_POLL_INTERVAL_S", default=1.0)

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
                             "audits.sse.openapi.add_events_path",
                             "seoaudit.api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {"AuditStatusEnum": "audits.models.Audit.Status",
                            "SeverityEnum": "audits.models.Finding.Severity",
                            "HealthStatusEnum": ["ok", "unavailable"],
                            "HealthSummaryStatusEnum": ["ok", "degraded"],
                            "WebhookDeliveryStatusEnum": "webhooks.models.WebhookDelivery.Status",
                            "GitHubReplyStatusEnum": "webhooks.github.REPLY_STATUSES",
                            "AIContentKindEnum": "ai.models.AIContent.Kind",
                            "AIContentStatusEnum": "ai.models.AIContent.Status",
                            "AnswerRunStatusEnum": "visibility.models.AnswerRun.Status"},
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# --- AI content (ai app; see docs/ai.md) ----------------------------------------------------
#: Any OpenAI-compatible server: OpenAI, Moonshot/Kimi, Azure OpenAI, Ollama, vLLM. Without a key
#: and base URL the generators run offline (deterministic, labelled provider "offline").
AI_API_KEY = env("AI_API_KEY", default=env("OPENAI_API_KEY", default=""))
AI_BASE_URL = env("AI_BASE_URL", default="")
AI_MODEL = env("AI_MODEL", default="gpt-4o-mini")
AI_PROVIDER = env("AI_PROVIDER", default="")
AI_AZURE_API_VERSION = env("AI_AZURE_API_VERSION", default="")
AI_TIMEOUT_S = env.float("AI_TIMEOUT_S", default=60.0)
AI_MAX_RETRIES = env.int("AI_MAX_RETRIES", default=2)
AI_PRICE_INPUT_PER_1K = env.float("AI_PRICE_INPUT_PER_1K", default=0.0)
AI_PRICE_OUTPUT_PER_1K = env.float("AI_PRICE_OUTPUT_PER_1K", default=0.0)
AI_CACHE_TTL_S = env.int("AI_CACHE_TTL_S", default=7 * 24 * 3600)
AI_JSON_MODE = env.bool("AI_JSON_MODE", default=True)
AI_STREAM = env.bool("AI_STREAM", default=False)

# --- AI visibility engines (visibility/engines) ---------------------------------------------
# Answer engines asked for AI visibility tracking (docs/ai-visibility-engines.md). Empty list =
# every engine whose key is set. Known: openai, perplexity, gemini, openai_compatible.
AI_VISIBILITY_ENGINES = env.list("AI_VISIBILITY_ENGINES", default=[])
#: Deadline for one question (all attempts included), connect timeout, retries of 5xx/connect.
AI_VISIBILITY_TIMEOUT_S = env.float("AI_VISIBILITY_TIMEOUT_S", default=90.0)
AI_VISIBILITY_CONNECT_TIMEOUT_S = env.float("AI_VISIBILITY_CONNECT_TIMEOUT_S", default=10.0)
AI_VISIBILITY_MAX_RETRIES = env.int("AI_VISIBILITY_MAX_RETRIES", default=2)
AI_VISIBILITY_RETRY_BACKOFF_S = env.float("AI_VISIBILITY_RETRY_BACKOFF_S", default=1.0)
AI_VISIBILITY_MAX_RESPONSE_BYTES = env.int("AI_VISIBILITY_MAX_RESPONSE_BYTES", default=2_000_000)
AI_VISIBILITY_MAX_OUTPUT_TOKENS = env.int("AI_VISIBILITY_MAX_OUTPUT_TOKENS", default=1200)
# OpenAI: the key falls back to OPENAI_API_KEY, then to AI_API_KEY when the AI gateway talks to
# OpenAI itself (not when AI_BASE_URL points at another provider).
AI_VISIBILITY_OPENAI_API_KEY = (env("AI_VISIBILITY_OPENAI_API_KEY", default="")
                                or env("OPENAI_API_KEY", default="")
                                or (AI_API_KEY if not AI_BASE_URL or "api.openai.com" in AI_BASE_URL
                                    else ""))
AI_VISIBILITY_OPENAI_BASE_URL = env("AI_VISIBILITY_OPENAI_BASE_URL", default="https://api.openai.com/v1")
AI_VISIBILITY_OPENAI_MODEL = env("AI_VISIBILITY_OPENAI_MODEL", default="gpt-4.1-mini")
#: "web_search", or "web_search_preview" for models that only know the older tool name.
AI_VISIBILITY_OPENAI_WEB_SEARCH_TOOL = env("AI_VISIBILITY_OPENAI_WEB_SEARCH_TOOL", default="web_search")
# Perplexity: "agent" = the Agent API (POST /v1/agent, Responses format; Sonar chat completions
# were retired on 2026-09-27), "sonar" = the legacy POST /chat/completions.
PERPLEXITY_API_KEY = env("PERPLEXITY_API_KEY", default="")
PERPLEXITY_BASE_URL = env("PERPLEXITY_BASE_URL", default="https://api.perplexity.ai")
PERPLEXITY_API = env("PERPLEXITY_API", default="agent")
PERPLEXITY_MODEL = env("PERPLEXITY_MODEL", default="")  # "" = perplexity/sonar (agent), sonar
PERPLEXITY_PRESET = env("PERPLEXITY_PRESET", default="")
GEMINI_API_KEY = env("GEMINI_API_KEY", default=env("GOOGLE_API_KEY", default=""))
GEMINI_BASE_URL = env("GEMINI_BASE_URL", default="https://generativelanguage.googleapis.com")
GEMINI_MODEL = env("GEMINI_MODEL", default="gemini-2.5-flash")
# Any OpenAI-compatible chat completions server (Ollama, vLLM, Moonshot...), no web search.
AI_VISIBILITY_COMPAT_BASE_URL = env("AI_VISIBILITY_COMPAT_BASE_URL", default="")
AI_VISIBILITY_COMPAT_MODEL = env("AI_VISIBILITY_COMPAT_MODEL", default="")
AI_VISIBILITY_COMPAT_API_KEY = env("AI_VISIBILITY_COMPAT_API_KEY", default="")
# Per engine (<E> = OPENAI, PERPLEXITY, GEMINI, COMPAT): timeout override and USD prices used
# when the provider does not report the cost (Perplexity does): per 1k input/output tokens and
# per web search run.
for _engine in ("OPENAI", "PERPLEXITY", "GEMINI", "COMPAT"):
    _prefix = f"AI_VISIBILITY_{_engine}"
    globals()[f"{_prefix}_TIMEOUT_S"] = env.float(f"{_prefix}_TIMEOUT_S", default=AI_VISIBILITY_TIMEOUT_S)
    for _price in ("PRICE_INPUT_PER_1K", "PRICE_OUTPUT_PER_1K", "PRICE_PER_SEARCH"):
        globals()[f"{_prefix}_{_price}"] = env.float(f"{_prefix}_{_price}", default=0.0)
del _engine, _prefix, _price

# --- API platform: rate limits, proxies, security headers, request limits, CORS -------------
# (api-middleware; see README "API: rate limits, headers, errors" and docs/decisions.md)
#: Per-class limits in the `limits` notation ("N/second|minute|hour|day", "N per 2 seconds").
#: Override some with SEOAUDIT_RATE_LIMITS="search=60/minute,auth=5/minute".
SEOAUDIT_RATE_LIMITS = {
    "auth": "10/minute", "audits": "600/minute", "pdf": "10/minute", "search": "30/minute",
    "webhooks": "1000/minute", "default": "100/minute", "ai": "30/minute",
    **env.dict("SEOAUDIT_RATE_LIMITS", default={}),
}
import limits as _limits  # noqa: E402 - fail at startup, not at the first request, on a typo

for _rate in SEOAUDIT_RATE_LIMITS.values():
    _limits.parse(_rate)
SEOAUDIT_RATE_LIMITS_ENABLED = env.bool("SEOAUDIT_RATE_LIMITS_ENABLED", default=True)
#: Seconds a web process reuses a personal API token it looked up (one query less per API
#: request). A revocation through the API takes effect at once in the process that served it,
#: elsewhere within this many seconds; expiry is checked on every request. 0: no reuse.
SEOAUDIT_API_TOKEN_CACHE_SECONDS = env.float("SEOAUDIT_API_TOKEN_CACHE_SECONDS", default=5.0)
#: Threads per web process that run the sync part of ASGI requests (middleware, sync views);
#: a request waits for a free one. 0: Django's default, a new thread per request.
SEOAUDIT_ASGI_THREADS = env.int("SEOAUDIT_ASGI_THREADS", default=8)
#: Redis in production (atomic across processes and hosts); memory in the embedded mode.
SEOAUDIT_RATE_LIMIT_STORAGE = env("SEOAUDIT_RATE_LIMIT_STORAGE", default=REDIS_URL or "memory://")
SEOAUDIT_RATE_LIMIT_NAMESPACE = "api"
#: Addresses/networks that are never limited (monitoring, internal jobs).
SEOAUDIT_RATE_LIMIT_TRUSTED_IPS = env.list("SEOAUDIT_RATE_LIMIT_TRUSTED_IPS", default=[])
#: Plain Django views counted in the "auth" class (login forms).
SEOAUDIT_RATE_LIMIT_AUTH_VIEWS = ["admin:login", "login"]
REST_FRAMEWORK.update({
    "DEFAULT_THROTTLE_CLASSES": ["seoaudit.ratelimit.SlidingWindowThrottle"],
    "DEFAULT_THROTTLE_RATES": SEOAUDIT_RATE_LIMITS,
})

#: Reverse proxies whose X-Forwarded-For / -Proto are believed (addresses or CIDRs).
SEOAUDIT_TRUSTED_PROXIES = env.list("SEOAUDIT_TRUSTED_PROXIES", default=[])
# Safe only because TrustedProxyMiddleware drops the header unless a trusted proxy sent it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

#: Served over HTTPS (directly or behind a TLS proxy): redirect http, HSTS, secure cookies.
SEOAUDIT_HTTPS = env.bool("SEOAUDIT_HTTPS", default=False)
SECURE_SSL_REDIRECT = SEOAUDIT_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^health(/|$)"]  # plain-http load balancer probes
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if SEOAUDIT_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SEOAUDIT_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
#: Content-Security-Policy in Django 6's SECURE_CSP format (seoaudit.middleware writes it on
#: Django 5.2; Django 6's ContentSecurityPolicyMiddleware reads the same setting).
SECURE_CSP = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'"], "connect-src": ["'self'"],
    "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SEOAUDIT_PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                               "magnetometer=(), microphone=(), payment=(), usb=()")

#: Request limits (RequestValidationMiddleware; the body limit also in asgi_limits).
SEOAUDIT_MAX_URL_LENGTH = 2048
SEOAUDIT_MAX_REQUEST_BODY = env.int("SEOAUDIT_MAX_REQUEST_BODY", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = SEOAUDIT_MAX_REQUEST_BODY
#: Paths whose request bodies must be JSON (415 otherwise, 400 when malformed).
SEOAUDIT_JSON_API_PREFIXES = ["/api/v1/"]  # unversioned /api/ paths are 308-redirected there

# CORS: only the listed origins (CORS_ALLOWED_ORIGINS above), only the API; credentials are
# allowed, and django-cors-headers answers them only to a listed origin (never a wildcard).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken",
                      "x-requested-with", "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID", "X-Response-Time", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                       "X-RateLimit-Reset", "Retry-After"]

# --- Webhooks (issue 9; docs/webhooks.md) ---------------------------------------------------
#: Secret of the incoming GitHub webhook (X-Hub-Signature-256); empty = the endpoint answers 503.
GITHUB_WEBHOOK_SECRET = env("GITHUB_WEBHOOK_SECRET", default="")
#: Deliver to private/loopback addresses (development and tests only: SSRF guard).
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_TIMEOUT_S = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
#: An endpoint whose deliveries keep failing this long is disabled (owner told in the admin).
WEBHOOKS_DISABLE_AFTER_S = env.int("WEBHOOKS_DISABLE_AFTER_SECONDS", default=24 * 3600)
WEBHOOKS_PROGRESS_INTERVAL_S = env.int("WEBHOOKS_PROGRESS_INTERVAL_SECONDS", default=30)
WEBHOOKS_ROTATION_GRACE_HOURS = env.float("WEBHOOKS_ROTATION_GRACE_HOURS", default=24.0)
#: Retries due within this are Celery countdowns; later ones wait for the beat sweep (a Redis
#: broker redelivers ETA messages older than its visibility timeout).
WEBHOOKS_CELERY_COUNTDOWN_MAX_S = 3600
# Sends webhook deliveries that are due (retries) or whose queue message was lost.
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {"task": "webhooks.deliver_due", "schedule": 30.0}

# --- Hostile sites: engine bounds (issue 12; docs/hostile-sites.md) -------------------------
#: Wall-clock budget for one audit's crawl (seconds, 0 = none). Below the Celery soft time
#: limit of audits.run_audit (4 h - 60 s), so a tarpit site ends COMPLETED with its partial
#: results and the finding seo.crawl.time_budget instead of being killed as FAILED.
SEOAUDIT_MAX_CRAWL_SECONDS = env.float("SEOAUDIT_MAX_CRAWL_SECONDS", default=3 * 3600.0)
# --- Page-speed lab and PageSpeed Insights (pagespeed/, audits/engine/lab.py, docs/pagespeed.md) ---
#: Pages measured in the page-speed lab (headless Chromium, mobile + desktop) after the crawl
#: when an audit does not set pagespeed_sample (0 = off, at most 50). Chromium is found like
#: the render sample's (SEOAUDIT_CHROMIUM); without it the audit says the lab was skipped.
SEOAUDIT_PAGESPEED_SAMPLE = env.int("SEOAUDIT_PAGESPEED_SAMPLE", default=5)
#: PageSpeed Insights API key (field data and Google's Lighthouse run); empty = PSI off.
PAGESPEED_API_KEY = env("PAGESPEED_API_KEY", default="")
PAGESPEED_API_URL = env("PAGESPEED_API_URL",
                        default="https://www.googleapis.com/pagespeedonline/v5/runPagespeed")
#: One PSI call may take long (Google runs Lighthouse); bounded here.
PAGESPEED_TIMEOUT_S = env.float("PAGESPEED_TIMEOUT_S", default=90.0)
#: Rate-limit class of POST /api/v1/pagespeed (each starts a browser or a PSI call);
#: override with SEOAUDIT_RATE_LIMITS="pagespeed=5/minute".
SEOAUDIT_RATE_LIMITS.setdefault("pagespeed", "10/minute")
_limits.parse(SEOAUDIT_RATE_LIMITS["pagespeed"])
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({
    "PageSpeedFormFactorEnum": "pagespeed.models.Measurement.FormFactor",
    "PageSpeedFormFactorRequestEnum": ["mobile", "desktop", "both"],
})
# --- Reliability: queues, fair scheduling, watchdog, faults (issue 12; docs/reliability.md) ---
#: audits.* -> crawl, ai.* -> ai, reports.* -> reports, webhooks.* -> webhooks, periodic -> beat.
CELERY_TASK_ROUTES = ("seoaudit.task_routing.route_task",)
CELERY_TASK_DEFAULT_QUEUE = "celery"
# A worker started without -Q consumes every queue (embedded mode, a single-worker setup).
from kombu import Queue  # noqa: E402

from .task_routing import ALL_QUEUES  # noqa: E402

CELERY_TASK_QUEUES = tuple(Queue(name) for name in ALL_QUEUES)
#: A task that raised or hit its time limit is acknowledged, not redelivered: the services
#: have already recorded the failure, and a poison message must not loop.
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
#: A broker blip must not abort a running audit (it keeps persisting to PostgreSQL); a message
#: redelivered meanwhile finds the audit RUNNING with a fresh heartbeat and is a no-op.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
if REDIS_URL:
    # Longer than the longest task (audits.run_audit: 4 h hard limit) so an unacknowledged
    # (acks_late) message is not handed to a second worker while the first still runs it; a
    # dead worker's message comes back after this. Drills set it to seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
        "CELERY_VISIBILITY_TIMEOUT_SECONDS", default=5 * 3600)
    # How often workers look for messages past the visibility timeout (kombu's default sweep
    # is about every 100 s, fine against hours); drills with a visibility of seconds set 1.
    if _restore_s := env.int("CELERY_UNACKED_RESTORE_SECONDS", default=0):
        CELERY_BROKER_TRANSPORT_OPTIONS.update(unacked_restore_interval=_restore_s,
                                               unacked_restore_throttle=1)
    # Cache reads and writes fail open when Redis is down (logged): see seoaudit/cache.py.
    CACHES["default"]["BACKEND"] = "seoaudit.cache.FailOpenRedisCache"
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
#: Audits one owner may have RUNNING at once; more wait PENDING with a queue position (0 = no cap).
SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = env.int("SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER", default=2)
#: Audits RUNNING at once over all owners (0 = no cap; the crawl workers' concurrency is one).
SEOAUDIT_MAX_RUNNING_AUDITS = env.int("SEOAUDIT_MAX_RUNNING_AUDITS", default=0)
#: Runs an audit may start (worker lost, shutdown, database outage) before it is FAILED.
SEOAUDIT_AUDIT_MAX_ATTEMPTS = env.int("SEOAUDIT_AUDIT_MAX_ATTEMPTS", default=3)
#: A running audit bumps its heartbeat (updated_at) this often even when no page finishes.
SEOAUDIT_HEARTBEAT_SECONDS = env.float("SEOAUDIT_HEARTBEAT_SECONDS", default=30.0)
#: How often a running audit checks whether it was cancelled or its worker is shutting down.
SEOAUDIT_CONTROL_POLL_SECONDS = env.float("SEOAUDIT_CONTROL_POLL_SECONDS", default=1.0)
#: A PENDING audit whose queue message is older than this is enqueued again by the watchdog
#: (the message may have been lost with a broker that had no persistence).
SEOAUDIT_PENDING_REDISPATCH_SECONDS = env.int("SEOAUDIT_PENDING_REDISPATCH_SECONDS", default=1800)
#: How long an audit's database writes are retried (with backoff) through a database outage.
SEOAUDIT_DB_RETRY_SECONDS = env.float("SEOAUDIT_DB_RETRY_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["audits-watchdog"] = {"task": "audits.watchdog", "schedule": 60.0}

# --- AI answer visibility (visibility app; docs/ai-visibility.md) ---------------------------
#: Engine calls one owner may spend per day (UTC); staff override it per owner in the admin.
AI_VISIBILITY_MAX_RUNS_PER_DAY = env.int("AI_VISIBILITY_MAX_RUNS_PER_DAY", default=50)
#: Longest answer text stored per run (characters).
AI_VISIBILITY_ANSWER_MAX_CHARS = env.int("AI_VISIBILITY_ANSWER_MAX_CHARS", default=20_000)
#: Engine calls per prompt, engine and day at most (retryable failures included).
AI_VISIBILITY_MAX_ATTEMPTS = env.int("AI_VISIBILITY_MAX_ATTEMPTS", default=3)
#: A run still "running" after this long (a worker died) may be taken over.
AI_VISIBILITY_RUN_TIMEOUT_S = env.int("AI_VISIBILITY_RUN_TIMEOUT_SECONDS", default=900)
#: Longest Retry-After the run task waits for before leaving the run to the next hourly beat.
AI_VISIBILITY_MAX_RETRY_WAIT_S = env.int("AI_VISIBILITY_MAX_RETRY_WAIT_SECONDS", default=600)
# Every hour, queue the prompts whose slot of the day has come (one task per prompt and engine).
CELERY_BEAT_SCHEDULE["visibility.track_due"] = {"task": "visibility.track_due", "schedule": 3600.0}

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
