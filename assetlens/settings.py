"""One settings module, driven by environment variables.

With nothing set, AssetLens runs embedded: SQLite, and Celery tasks run in-process.
Set DATABASE_URL and REDIS_URL for the real stack (PostgreSQL, Redis, separate workers).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=False)
PRODUCTION = env_bool("ASSETLENS_PRODUCTION", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when ASSETLENS_PRODUCTION is on.")
    SECRET_KEY = "dev-only-insecure-key-change-me-for-any-real-district-install"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# A stale form (signed out, or the token rotated by a sign-in in another tab) keeps what was typed.
CSRF_FAILURE_VIEW = "assetlens.stash.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "assetlens",
    "rubrics",
    "products",
    "audits",
    "committees",
    "outbox",
    "people",
    "vendorpages",
    "notifications",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which serves its own pre-compressed files.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Signed-in pages and exports: Cache-Control private, no-store (static files were answered above).
    "assetlens.headers.PrivatePagesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "assetlens.tenancy.DistrictMiddleware",
    "accounts.middleware.TwoStepRequiredMiddleware",
    "assetlens.stash.StashMiddleware",
]

ROOT_URLCONF = "assetlens.urls"
WSGI_APPLICATION = "assetlens.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assetlens.tenancy.district_context",
                "assetlens.context_processors.site_links",
                "notifications.context_processors.unread_notifications",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["assetlens.auth.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in (django-allauth) ------------------------------------------------------------------------
# Email address or the existing username, and a password; nobody signs up: people join by invitation.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Wrong passwords are counted by accounts.lockout (per account with backoff, per address); allauth's own
# "login_failed" limit is off so one spray from a school's address does not refuse everyone behind it.
# A reset email: 5 a minute from one address, one every 3 minutes to one mailbox. Sign-in attempts of any kind:
# 300 a minute from one address (a whole school arriving at 8:00 stays well below it; a flood does not).
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "300/m/ip", "reset_password": "5/m/ip,1/3m/key"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    # The ID token's signature is checked against the provider's keys even on the back channel.
    "openid_connect": {"provider_class": "accounts.oidc.provider.DistrictOpenIDConnectProvider",
                       "OAUTH_PKCE_ENABLED": True},
    "google": {"SCOPE": ["openid", "profile", "email"], "OAUTH_PKCE_ENABLED": True},
    "microsoft": {"SCOPE": ["openid", "profile", "email", "User.Read"]},
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AssetLens"
# A phone whose clock is 30 s off still works: the codes of the step before and after are accepted too.
MFA_TOTP_TOLERANCE = 1
# Sign-in lockout (accounts.lockout): after 5 wrong passwords an account waits 1 minute, doubling with each
# further failure up to an hour; 30 failures in 15 minutes from one address pause new browsers there.
SIGNIN_ACCOUNT_FREE_FAILURES = int(os.environ.get("SIGNIN_ACCOUNT_FREE_FAILURES", "5"))
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "30"))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

# Files the worker makes (report PDFs). Served only through views that check the district, never directly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Serve straight from the source folders too, so runserver, gunicorn and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# A decision or agreed level revised or withdrawn keeps its reason, however long, in its history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Pasted marketing copy can be long; keep a ceiling so one request cannot exhaust memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Our own scripts and styles only: no inline script, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Cache -----------------------------------------------------------------------------------------
# Only content-keyed plain data and HTML live here (a published rubric version's question blocks, a copy's tone
# reading by its hash, a ready report's sections by build time): nothing that can go stale, nothing per person.
# Shared by every web and worker process when Redis is there; short timeouts so a frozen Redis is a cache miss,
# not a hung page. The key prefix changes with each deploy, so nothing rendered by older code is ever served.
REDIS_URL = os.environ.get("REDIS_URL", "")


def _release():
    """This deploy's name: ASSETLENS_RELEASE, else the checked-out commit, else the package version."""
    if os.environ.get("ASSETLENS_RELEASE"):
        return os.environ["ASSETLENS_RELEASE"]
    head = BASE_DIR / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (BASE_DIR / ".git" / ref[5:]).read_text().strip()
        return ref[:12]
    except OSError:
        return "0.1.0"


RELEASE = _release()
CACHES = {
    "default": {
        "BACKEND": "assetlens.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"assetlens:{RELEASE}",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": f"assetlens:{RELEASE}",
          "TIMEOUT": 24 * 3600, "OPTIONS": {"MAX_ENTRIES": 2000}}
}

# --- Celery -----------------------------------------------------------------------------------------
if PRODUCTION and not REDIS_URL:
    # Without a broker every process would quietly fall back to an in-memory queue of its own: the web would hand
    # work to nobody and the worker would wait for it forever.
    raise RuntimeError("REDIS_URL must be set when ASSETLENS_PRODUCTION is on: the web hands work to the worker "
                       "through Redis (e.g. REDIS_URL=redis://127.0.0.1:6379/0).")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_URL:
    # Kombu's Redis transport, fixed so a worker does not stall after Redis froze mid-acknowledgement (see the module).
    CELERY_BROKER_TRANSPORT = "assetlens.broker:Transport"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
# Limits nest: soft < hard < broker visibility timeout, so a stuck task is stopped and its
# message redelivered only after it can no longer be running anywhere.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# A message taken by a worker that then dies (SIGKILL, OOM, power) goes back to the queue only after the
# visibility timeout, found by a surviving worker's periodic scan; the sweep below usually re-enqueues sooner.
# Crash-recovery tests shorten it with CELERY_VISIBILITY_TIMEOUT; every task's limits then shrink with it.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    # A Redis that accepts connections but never answers (frozen, failing over) must not hang a publish.
    "socket_timeout": 0.4,
    "socket_connect_timeout": 0.4,
    # Publishing (the web, and a worker enqueueing): one quick attempt to connect, then give up; the work waits in
    # the database and the sweep hands it over later. The worker's own consuming connection is governed by
    # CELERY_BROKER_CONNECTION_MAX_RETRIES below instead, and never gives up.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if CELERY_VISIBILITY_TIMEOUT < 600:
    CELERY_TASK_ANNOTATIONS = {
        "*": {"soft_time_limit": CELERY_VISIBILITY_TIMEOUT * 0.5, "time_limit": CELERY_VISIBILITY_TIMEOUT * 0.8}
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
# The worker and beat reconnect forever, backing off 2 s, 4 s, … up to 30 s between tries: a Redis restart,
# failover or freeze of any length is waited out, never fatal.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# When the connection drops, stop the tasks it delivered (their acknowledgement could not reach Redis anyway):
# each one is claimed again later, by its redelivered message or by the sweep, instead of running twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_PUBLISH_RETRY = False
# Nothing waits for a task's result (progress and outcomes live in the database rows), so publishing does not
# subscribe to one in Redis either: a second round trip that a frozen Redis would hold.
CELERY_TASK_IGNORE_RESULT = True
# Reading or storing a result in Redis: short timeouts, one retry, so a frozen Redis costs a page about 1 s.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 0.4
CELERY_REDIS_SOCKET_TIMEOUT = 0.4
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0},
}
# The daily digest of notifications goes out at this hour of TIME_ZONE (beat reads its schedule in that zone).
CELERY_TIMEZONE = TIME_ZONE
DIGEST_HOUR = int(os.environ.get("ASSETLENS_DIGEST_HOUR", "16"))

# Work held by a worker under a lease (assetlens/leases.py): reports and tone readings. A live worker renews the
# lease with each progress update; one whose lease has run out is taken over. Work queued longer than the
# patience (its message lost with Redis) is handed over again by the sweep, which beat runs every
# ASSETLENS_SWEEP_SECONDS. Fault tests shorten all three.
ASSETLENS_LEASE_SECONDS = int(os.environ.get("ASSETLENS_LEASE_SECONDS", "60"))
ASSETLENS_QUEUE_PATIENCE_SECONDS = int(os.environ.get("ASSETLENS_QUEUE_PATIENCE_SECONDS", "120"))
ASSETLENS_SWEEP_SECONDS = float(os.environ.get("ASSETLENS_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "enqueue-missed-scoring": {"task": "audits.tasks.sweep_unscored_audits", "schedule": ASSETLENS_SWEEP_SECONDS},
    "sweep-comparison-reports": {"task": "committees.tasks.sweep_reports", "schedule": ASSETLENS_SWEEP_SECONDS},
    "sweep-tone-readings": {"task": "products.tasks.sweep_readings", "schedule": ASSETLENS_SWEEP_SECONDS},
    "sweep-pasted-copy": {"task": "products.tasks.sweep_pastes", "schedule": ASSETLENS_SWEEP_SECONDS},
    "send-waiting-mail": {"task": "outbox.tasks.sweep_outbox", "schedule": 120.0},
    # Vendor pages: lost or stuck fetches every 2 minutes; pages not read for a week, checked hourly.
    "sweep-vendor-fetches": {"task": "vendorpages.tasks.sweep_vendor_fetches", "schedule": 120.0},
    "recheck-vendor-pages": {"task": "vendorpages.tasks.recheck_vendor_pages", "schedule": 3600.0},
    # Hourly, so a reminder missed while beat was down goes out within the hour; each is sent once.
    "send-audit-reminders": {"task": "notifications.tasks.send_due_reminders", "schedule": 3600.0},
    "send-daily-digests": {"task": "notifications.tasks.send_daily_digests",
                           "schedule": crontab(hour=DIGEST_HOUR, minute=0)},
    "purge-deleted-drafts": {"task": "audits.tasks.purge_deleted_drafts", "schedule": 120.0},
}

# Vendor pages are fetched from the public web only (vendorpages/safefetch.py). Hosts named here ("host" or
# "host:port", comma-separated) may be fetched even on a private address or another port: an intranet install's
# own vendor mirror, or the test server on loopback.
VENDORPAGES_ALLOWED_HOSTS = [h.strip() for h in os.environ.get("VENDORPAGES_ALLOWED_HOSTS", "").split(",") if h.strip()]

# --- Mail ------------------------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes out by SMTP (a Google Workspace relay, Microsoft 365, any provider); without it
# (the embedded default) every email is printed to the console, so a newcomer can follow an invitation link.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A mail server that does not answer is a failed attempt to retry later, never a worker stuck for minutes.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "15"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AssetLens <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in email need the site's address: there is no request in a worker.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
