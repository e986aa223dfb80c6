"""Django settings for earlyhelp.

Everything that differs between a developer's laptop, CI and a council's server comes from the
environment; the defaults are safe (DEBUG off). DEBUG is on only when a developer asks for it
(`EARLYHELP_ENV=development DJANGO_DEBUG=1`): the demo shows the service's own error pages, never Django's debug
pages with the URL map.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("EARLYHELP_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("EARLYHELP_ENV", "production")
DEBUG = ENVIRONMENT == "development" and os.environ.get("DJANGO_DEBUG", "0") == "1"

# Published in this repository: a developer's machine and the tests sign with it, production refuses it (below).
DEVELOPMENT_KEY = "insecure-development-key-not-for-production-use-0123456789"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if ENVIRONMENT in {"development", "test"}:
        SECRET_KEY = DEVELOPMENT_KEY
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment, or set EARLYHELP_ENV=development "
            "for a developer machine."
        )

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # FORM_RENDERER = TemplatesSetting needs Django's own widget templates
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_tables2",  # paged, sortable lists (GOV.UK templates in earlyhelp.ui)
    "django_filters",
    "earlyhelp.audit",
    "earlyhelp.ui",
    "earlyhelp.messaging",
    "earlyhelp.organisations",
    "earlyhelp.people",
    "earlyhelp.programme",
    "earlyhelp.casework",
    "earlyhelp.access",
    "earlyhelp.accounts",
    "earlyhelp.privacy",
    "earlyhelp.rights",
    "earlyhelp.retention",
    "earlyhelp.matching",
    "earlyhelp.supporting_families",
    "earlyhelp.reporting",
    "earlyhelp.web",
    "earlyhelp.api",
    "earlyhelp.online",  # the public pages: "Ask for early help", rights online (issue 15)
    "django_ratelimit",
    "earlyhelp.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost, so that every response has these headers, an error page from a failing middleware included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "earlyhelp.ui.uploads.RequestSizeMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "earlyhelp.accounts.middleware.SecondFactorDeviceMiddleware",  # django-otp's, reading the device as prepared SQL
    # Access decided once per request: remembered until the request ends or the database changes (issue 14).
    "earlyhelp.access.middleware.DecideOncePerRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "earlyhelp.web.middleware.SessionTimeoutMiddleware",
    # Sign-in hardening (P23): methods, the second factor, tracked sessions and no caching of signed-in pages.
    "earlyhelp.accounts.middleware.AllowedMethodsMiddleware",
    "earlyhelp.accounts.middleware.NoStoreMiddleware",
    "earlyhelp.accounts.middleware.SecondFactorMiddleware",
    "earlyhelp.accounts.middleware.SessionTrackingMiddleware",
    "earlyhelp.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "earlyhelp.urls"
WSGI_APPLICATION = "earlyhelp.wsgi.application"

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
                "csp.context_processors.nonce",
                "earlyhelp.web.context_processors.service",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------
# SQLite by default (zero set-up); PostgreSQL when DATABASE_URL is set.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'earlyhelp.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Access checks compare against every family a user may see; PostgreSQL's JIT spent ~250 ms
    # compiling such plans per query (benchmarks/README.md), far more than running them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # The statements every request makes (`earlyhelp.planned_statements`) are prepared on their connection after five
    # runs, so PostgreSQL plans them once (the access decision: 0.4 ms to plan, 0.05 ms to run). Django's own queries
    # bind their values in the client and are never prepared. EARLYHELP_DATABASE_PREPARED_STATEMENTS=0 turns it off,
    # for a connection pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21, or
    # without max_prepared_statements).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        None if os.environ.get("EARLYHELP_DATABASE_PREPARED_STATEMENTS", "1") == "0" else 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, so the audit hash chain never forks.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
# Django's model backend, reading the signed-in user as prepared SQL (`accounts.sessions`).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "earlyhelp.accounts.sessions.UserBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:dashboard"

# --- Sign-in lockout (django-axes) ------------------------------------------------------------
AXES_FAILURE_LIMIT = int(os.environ.get("EARLYHELP_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Behind a proxy the client address comes from X-Forwarded-For only when the immediate peer is a trusted proxy.
AXES_CLIENT_IP_CALLABLE = "earlyhelp.audit.client_address.client_ip"

# --- Client addresses behind a reverse proxy or load balancer ---------------------------------
# Addresses or networks (CIDR) of the council's own proxies, comma-separated, e.g. "10.0.0.5,10.1.0.0/16". Only when
# the connection comes from one of them is X-Forwarded-For read, and then the right-most address that is not a
# trusted proxy is the client. Empty (the default): X-Forwarded-For is ignored and the connection's address is used.
EARLYHELP_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("EARLYHELP_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in EARLYHELP_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"EARLYHELP_TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None

# --- Throttling failed sign-ins across accounts and addresses (P23) ---------------------------
# django-axes locks one username at one address after AXES_FAILURE_LIMIT failures. These catch a password spray:
# many usernames from one address, or one username from many addresses, within the window.
EARLYHELP_SIGN_IN_WINDOW_MINUTES = int(os.environ.get("EARLYHELP_SIGN_IN_WINDOW_MINUTES", "30"))
EARLYHELP_SIGN_IN_ADDRESS_LIMIT = int(os.environ.get("EARLYHELP_SIGN_IN_ADDRESS_LIMIT", "20"))
EARLYHELP_SIGN_IN_ACCOUNT_LIMIT = int(os.environ.get("EARLYHELP_SIGN_IN_ACCOUNT_LIMIT", "20"))

# --- Second factor (django-otp) -------------------------------------------------------------
OTP_TOTP_ISSUER = os.environ.get("EARLYHELP_COUNCIL_NAME", "Demo Borough Council") + " Early Help"
EARLYHELP_RECOVERY_CODES = 10

# --- E-mail (password reset links, acknowledgements of online forms) ------------------------------
# Production sends through GOV.UK Notify when its API key is set (django-gov-notify: each message goes through the
# service's plain template, whose id is set too, with the message's subject and body as its personalisation);
# otherwise through SMTP. The demo prints messages to the console (or writes them to EMAIL_FILE_PATH with
# EARLYHELP_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend); tests keep them in memory.
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", "")
EMAIL_BACKEND = os.environ.get(
    "EARLYHELP_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if ENVIRONMENT == "development"
    else "django_gov_notify.backends.NotifyEmailBackend" if GOVUK_NOTIFY_API_KEY
    else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EARLYHELP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EARLYHELP_EMAIL_PORT", "25"))
EMAIL_FILE_PATH = os.environ.get("EARLYHELP_EMAIL_FILE_PATH", os.path.join(VAR_DIR, "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("EARLYHELP_EMAIL_FROM", "earlyhelp@localhost")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("EARLYHELP_PASSWORD_RESET_SECONDS", str(24 * 3600)))

# --- Sessions and cookies ---------------------------------------------------------------------
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("EARLYHELP_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT_SECONDS = int(os.environ.get("EARLYHELP_SESSION_ABSOLUTE_SECONDS", str(10 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_ENGINE = "earlyhelp.accounts.sessions"  # Django's database sessions, read as prepared SQL
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and ENVIRONMENT == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("EARLYHELP_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content security policy (django-csp 4) ---------------------------------------------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Caches ------------------------------------------------------------------------------------
# "default" keeps per-process conveniences (dashboard counts). "public_rate" counts public form posts per client
# (django-ratelimit, `EARLYHELP_PUBLIC_RATE`): every server process must see the same counts, so it is a table in the
# database by default (shared by every process, on SQLite and PostgreSQL; created by `migrate`). A council with
# several web servers, or heavy traffic, should point it at Redis or memcached (README, "Public pages"):
# EARLYHELP_RATE_CACHE_BACKEND=django.core.cache.backends.redis.RedisCache EARLYHELP_RATE_CACHE_LOCATION=redis://...
RATE_CACHE_TABLE = "earlyhelp_public_rate_cache"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_rate": {
        "BACKEND": os.environ.get("EARLYHELP_RATE_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("EARLYHELP_RATE_CACHE_LOCATION", RATE_CACHE_TABLE),
    },
}
RATELIMIT_USE_CACHE = "public_rate"
# The database cache increments by read-then-write: two processes counting the same client at the same instant may
# count one post once instead of twice. The limit still holds within a few posts; django-ratelimit's check calls that
# an error (E003) and an unofficial backend a warning (W001), both silenced below; `online.checks` refuses a cache
# that is not shared (local memory) or not real. Use Redis or memcached for an exact count.
RATELIMIT_FAIL_OPEN = False

# --- Public pages (earlyhelp.online, issue 15) ---------------------------------------------------------------------
# Public form posts a client (an address, as the audit trail sees it behind EARLYHELP_TRUSTED_PROXIES) may send, as
# django-ratelimit's "<count>/<s|m|h|d>"; empty turns the limit off. More answer 429 and store nothing.
EARLYHELP_PUBLIC_RATE = os.environ.get("EARLYHELP_PUBLIC_RATE", "20/m")
# The largest public form post, in bytes (the longest answer is 3,000 characters); larger answers 413.
EARLYHELP_PUBLIC_MAX_BODY_BYTES = int(os.environ.get("EARLYHELP_PUBLIC_MAX_BODY_BYTES", str(64 * 1024)))
# Requests never sent are deleted this many days after their last answer (`manage.py delete_stale_online_drafts`).
EARLYHELP_PUBLIC_DRAFT_DAYS = int(os.environ.get("EARLYHELP_PUBLIC_DRAFT_DAYS", "28"))
# Requests the front door closed without a contact are deleted this many days after (as partner data that leads to
# nobody: a year), by the same command.
EARLYHELP_PUBLIC_CLOSED_DAYS = int(os.environ.get("EARLYHELP_PUBLIC_CLOSED_DAYS", "365"))
EARLYHELP_PUBLIC_SERVICE_NAME = os.environ.get("EARLYHELP_PUBLIC_SERVICE_NAME", "Early help for families")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "EARLYHELP_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "documents"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "earlyhelp.ui.uploads.LimitedUploadHandler",  # stops an upload over EARLYHELP_MAX_REQUEST_BYTES as it streams
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Logging: no personal data; request paths carry only ids; errors as their kind and frames (log_format) ---------
EARLYHELP_LOG_FORMAT = os.environ.get("EARLYHELP_LOG_FORMAT", "json" if ENVIRONMENT == "production" else "plain")
EARLYHELP_LOG_FILE = os.environ.get("EARLYHELP_LOG_FILE", "")  # empty: standard error
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "earlyhelp.log_format.JsonLines"}, "plain": {"()": "earlyhelp.log_format.Plain"}},
    "filters": {"exception_kind_only": {"()": "earlyhelp.tasks_backend.ExceptionKindOnly"}},
    "handlers": {"out": (
        {"class": "logging.handlers.WatchedFileHandler", "filename": EARLYHELP_LOG_FILE,
         "formatter": EARLYHELP_LOG_FORMAT} if EARLYHELP_LOG_FILE  # WatchedFileHandler: logrotate may move the file
        else {"class": "logging.StreamHandler", "formatter": EARLYHELP_LOG_FORMAT})},
    "root": {"handlers": ["out"], "level": os.environ.get("EARLYHELP_LOG_LEVEL", "WARNING")},
    "loggers": {
        # django.request logs include the full URL with query string: keep them out.
        "django.request": {"handlers": ["out"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["out"], "level": "ERROR", "propagate": False},
        # A failed background job is logged with its traceback, whose text may hold personal data: kind only.
        "django_tasks": {"filters": ["exception_kind_only"]},
        "django_tasks_db": {"filters": ["exception_kind_only"]},
    },
}

# --- The service ------------------------------------------------------------------------------
EARLYHELP_COUNCIL_NAME = os.environ.get("EARLYHELP_COUNCIL_NAME", "Demo Borough Council")
EARLYHELP_SERVICE_NAME = "Early Help case management"
EARLYHELP_DEMO_MODE = os.environ.get("EARLYHELP_DEMO_MODE", "0") == "1"
EARLYHELP_REVIEW_INTERVAL_WEEKS = 8
EARLYHELP_ASSESSMENT_TARGET_DAYS = 21
# Background jobs (earlyhelp.jobs): a running job's heartbeat, and how long without one before its worker counts as dead.
# A running worker looks for dead jobs every heartbeat, so one is ended at most 50 + 10 s after its worker died.
EARLYHELP_JOB_HEARTBEAT_SECONDS = int(os.environ.get("EARLYHELP_JOB_HEARTBEAT_SECONDS", "10"))
EARLYHELP_JOB_DEAD_AFTER_SECONDS = int(os.environ.get("EARLYHELP_JOB_DEAD_AFTER_SECONDS", "50"))
# A dashboard's counts are kept (in Django's cache) for this many seconds, and counted again at once after the user's
# own change; 0 counts them on every visit. With several server processes, configure a shared cache (CACHES).
EARLYHELP_DASHBOARD_FRESH_SECONDS = int(os.environ.get("EARLYHELP_DASHBOARD_FRESH_SECONDS", "30"))
# The family page's body is kept (in the database) until anything it shows changes, per viewer and their access, and
# served again after the access decision and the audited read (earlyhelp.casework.kept_pages); 0 renders it every time.
EARLYHELP_KEEP_FAMILY_PAGES = os.environ.get("EARLYHELP_KEEP_FAMILY_PAGES", "1") == "1"
EARLYHELP_EMERGENCY_ACCESS_MINUTES = int(os.environ.get("EARLYHELP_EMERGENCY_ACCESS_MINUTES", "60"))
# Background jobs (earlyhelp.jobs): the kinds, and those whose dead jobs are queued again (once) rather than failed,
# comma-separated, e.g. "imports,linkage,sweeps,packs"; empty fails them all. A wrong name stops the service at
# start-up: a typo must not quietly leave a kind failing.
EARLYHELP_JOB_KINDS = ("imports", "linkage", "sweeps", "packs")
EARLYHELP_REQUEUE_DEAD_JOBS = frozenset(
    kind.strip() for kind in os.environ.get("EARLYHELP_REQUEUE_DEAD_JOBS", "").split(",") if kind.strip())
if EARLYHELP_REQUEUE_DEAD_JOBS - set(EARLYHELP_JOB_KINDS):
    raise ImproperlyConfigured("EARLYHELP_REQUEUE_DEAD_JOBS: each kind must be one of "
                               + ", ".join(EARLYHELP_JOB_KINDS))
# Every table in the product is drawn by the GOV.UK list kit (earlyhelp.ui.lists).
DJANGO_TABLES2_TEMPLATE = "ui/lists/table.html"
DJANGO_TABLES2_PAGE_RANGE = 7

EARLYHELP_ACCESS_REVIEW_DAYS = int(os.environ.get("EARLYHELP_ACCESS_REVIEW_DAYS", "90"))
EARLYHELP_AUDIT_READS = os.environ.get("EARLYHELP_AUDIT_READS", "1") == "1"
# Keys the audit hash chain (HMAC). Keep it outside the database, like the secret key; changing it
# makes earlier events fail verification, so rotate only with a recorded checkpoint.
EARLYHELP_AUDIT_CHAIN_KEY = os.environ.get("EARLYHELP_AUDIT_CHAIN_KEY") or SECRET_KEY
if ENVIRONMENT == "production" and DEVELOPMENT_KEY in {SECRET_KEY, EARLYHELP_AUDIT_CHAIN_KEY}:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY or EARLYHELP_AUDIT_CHAIN_KEY is the development key published with the code: anyone could "
        "sign sessions or rewrite the audit chain with it. Set a random key of your own.")
# The audit chain's head, signed and written outside the database (earlyhelp.audit.anchors): put this file on other
# storage than the database and its backups. An audited change writes one at most every ANCHOR_SECONDS per process.
EARLYHELP_AUDIT_ANCHOR_FILE = Path(os.environ.get("EARLYHELP_AUDIT_ANCHOR_FILE",
                                                  VAR_DIR / "private" / "audit-anchors.jsonl"))
EARLYHELP_AUDIT_ANCHOR_SECONDS = int(os.environ.get("EARLYHELP_AUDIT_ANCHOR_SECONDS", "300"))

# Files sent outside the council (National Impact Study transfers, research extracts) wait here, readable by the
# service's user only, until they are downloaded once (then removed) or expire. Never under MEDIA_ROOT or STATIC_ROOT.
EARLYHELP_EXPORT_DIR = Path(os.environ.get("EARLYHELP_EXPORT_DIR", VAR_DIR / "private" / "exports"))
EARLYHELP_EXPORT_HOURS = int(os.environ.get("EARLYHELP_EXPORT_HOURS", "48"))
# One HMAC key per research project (P12), held outside the database and destroyed when the project ends.
EARLYHELP_RESEARCH_KEY_DIR = Path(os.environ.get("EARLYHELP_RESEARCH_KEY_DIR", VAR_DIR / "private" / "research-keys"))

# Crypto-shredding (earlyhelp.keys): every stored file is encrypted under a key of its own in this directory, kept
# outside the database and its backups, so destroying a family's key at disposal reaches every backup of its files.
EARLYHELP_FAMILY_KEY_DIR = Path(os.environ.get("EARLYHELP_FAMILY_KEY_DIR", VAR_DIR / "private" / "family-keys"))
# The master key wraps every key in that directory: keep it in the environment or a secrets manager, never beside
# the key store. Several, comma-separated, while rotating: the first wraps new keys, any unwraps (`rewrap_keys`).
# Published in this repository, like DEVELOPMENT_KEY: a developer's machine and the tests use it, production refuses it.
DEVELOPMENT_MASTER_KEY = "ZWFybHloZWxwLWRldmVsb3BtZW50LW1hc3Rlci1rZXk="
_master_key = os.environ.get("EARLYHELP_MASTER_KEY", "")
if not _master_key and os.environ.get("EARLYHELP_MASTER_KEY_FILE"):
    try:
        _master_key = Path(os.environ["EARLYHELP_MASTER_KEY_FILE"]).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"EARLYHELP_MASTER_KEY_FILE cannot be read ({error.strerror})") from None
if not _master_key:
    if ENVIRONMENT == "production":
        raise ImproperlyConfigured(
            "EARLYHELP_MASTER_KEY (or EARLYHELP_MASTER_KEY_FILE) is not set: stored files are encrypted under keys it "
            "wraps. Set a random key of your own (docs/operations.md, \"Keys and crypto-shredding\").")
    _master_key = DEVELOPMENT_MASTER_KEY
EARLYHELP_MASTER_KEYS = [key.strip() for key in _master_key.split(",") if key.strip()]
if ENVIRONMENT == "production" and DEVELOPMENT_MASTER_KEY in EARLYHELP_MASTER_KEYS:
    raise ImproperlyConfigured(
        "EARLYHELP_MASTER_KEY is the development key published with the code: anyone could read every stored file "
        "with it. Set a random key of your own.")

NINJA_PAGINATION_PER_PAGE = 50

# SQLite ignores db_comment; PostgreSQL (production) keeps them as the data inventory.
SILENCED_SYSTEM_CHECKS = ["fields.W163", "django_ratelimit.E003", "django_ratelimit.W001"]

# Background jobs (pack builds, imports, linkage runs, retention sweeps). Production: the database backend and
# `manage.py db_worker`. A developer's machine and the demo: a thread of the web process runs them after the
# request commits, so pages answer at once with no second process to start (earlyhelp/tasks_backend.py).
TASKS = {"default": {"BACKEND": os.environ.get(
    "EARLYHELP_TASKS_BACKEND",
    "earlyhelp.tasks_backend.ThreadBackend" if ENVIRONMENT == "development" else
    "django_tasks_db.DatabaseBackend")}}

# Data matching: the linkage engine runs on DuckDB on one server, or on Apache Spark for a consortium of councils
# ("spark"; pyspark in local mode unless a cluster is configured). Pairs at or above the review threshold (a match
# probability) go to the data team's review queue; empty means the engine's own tuned threshold.
MATCHING_BACKEND = os.environ.get("EARLYHELP_MATCHING_BACKEND", "duckdb")
if MATCHING_BACKEND not in {"duckdb", "spark"}:
    raise ImproperlyConfigured("EARLYHELP_MATCHING_BACKEND must be duckdb or spark")
if os.environ.get("EARLYHELP_MATCHING_REVIEW_THRESHOLD"):
    MATCHING_REVIEW_THRESHOLD = float(os.environ["EARLYHELP_MATCHING_REVIEW_THRESHOLD"])
MATCHING_MAX_UPLOAD_BYTES = int(os.environ.get("EARLYHELP_MATCHING_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
# The largest request body read at all (earlyhelp.ui.uploads): the largest file a form takes, and room for its fields.
EARLYHELP_MAX_REQUEST_BYTES = int(os.environ.get("EARLYHELP_MAX_REQUEST_BYTES",
                                                 MATCHING_MAX_UPLOAD_BYTES + 1024 * 1024))
