"""OneWindow settings: one module, switched by environment variables.

Embedded default: SQLite (WAL) + Celery over SQLite + local files under ``ONEWINDOW_VAR_DIR``.
At scale: ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` / ``REDIS_URL``, S3 storage.
``ONEWINDOW_ENV=production`` turns on the secure defaults that ``check --deploy`` expects.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV = env("ONEWINDOW_ENV", "development")
TESTING = ENV == "test" or "pytest" in sys.modules
PRODUCTION = ENV == "production"
DEMO = env_bool("ONEWINDOW_DEMO", default=False)
# The sandboxes ``onewindow rundemo`` starts beside the web app: the payment gateway and the
# courier (``--pay-sandbox-port`` / ``--courier-sandbox-port``; 0 picks a free port).
DEMO_PAY_SANDBOX_PORT = int(env("ONEWINDOW_DEMO_PAY_SANDBOX_PORT", "8077"))
DEMO_COURIER_SANDBOX_PORT = int(env("ONEWINDOW_DEMO_COURIER_SANDBOX_PORT", "8078"))

VAR_DIR = Path(env("ONEWINDOW_VAR_DIR", str(Path.cwd() / "var"))).resolve()
if not TESTING:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# The public development key: the deploy checks refuse it in production (core.checks).
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when ONEWINDOW_ENV=production")
# Off in the demo too: it is served to people who are not its developers, and DEBUG's
# technical 404 and 500 pages list every URL pattern and show tracebacks and settings.
DEBUG = env_bool("DEBUG", default=ENV == "development" and not TESTING and not DEMO)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_prometheus",
    "ninja",  # the API docs' Swagger UI from our static files, not a CDN (CSP: 'self')
    "onewindow.core",
    "onewindow.workflow",
    "onewindow.audit",
    "onewindow.identity",
    "onewindow.notify",
    "onewindow.portal",
    "onewindow.catalog",
    "onewindow.cases",
    "onewindow.appointments",
    "onewindow.exchange",
    "onewindow.delivery",
    "onewindow.sso",  # before oauth2_provider: its consent and logout templates win
    "oauth2_provider",
    "onewindow.licences",
    "onewindow.ratings",
    "onewindow.payments",
    "onewindow.bills",
    "onewindow.onepass",
    "onewindow.outreach",
    "onewindow.interaction",
    "onewindow.api",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "onewindow.core.middleware.RequestIdMiddleware",
    "onewindow.api.middleware.ApiGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "onewindow.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onewindow.core.middleware.StaffIdleTimeoutMiddleware",
    "onewindow.core.middleware.ElderModeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "onewindow.config.urls"
WSGI_APPLICATION = "onewindow.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.core.context_processors.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE: writers queue instead of failing on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file (WAL, like production) rather than memory, so the concurrency tests run
    # threads on their own connections on SQLite too; one file per run (pytest-xdist adds the
    # worker's suffix), in the temporary folder, removed afterwards.
    DATABASES["default"]["TEST"] = {
        "NAME": env(
            "ONEWINDOW_TEST_DB",
            str(Path(tempfile.gettempdir()) / f"onewindow-test-{os.getpid()}.sqlite3"),
        )
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions ------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Staff get the Django permissions of the Roles they hold (never authenticates anyone).
    "onewindow.identity.backends.RolePermissionBackend",
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Staff lockout (django-axes, onewindow.identity.lockout): 5 failures of one username within
# 30 minutes, from any address, lock that username (not per address: colleagues share a NAT
# address, attackers use many). The n-th lockout in a row lasts 30 min × 2^(n-1), at most a
# day; a successful login or a day without a lockout starts again. Each lockout is an alert.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "onewindow.identity.lockout.StaffLockoutHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked change nothing
LOCKOUT_MAX_COOLOFF = timedelta(hours=float(env("ONEWINDOW_LOCKOUT_MAX_HOURS", "24")))
LOCKOUT_STREAK_RESET = timedelta(hours=24)
AXES_RESET_ON_SUCCESS = True
# axes.W006 warns that a lock without the address can be dodged by rotating user agents or
# cookies; ours counts a username's failures over every address, user agent and cookie.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_CALLABLE = "onewindow.identity.views.staff_locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "OneWindow"
STAFF_IDLE_TIMEOUT_SECONDS = int(env("ONEWINDOW_STAFF_IDLE_SECONDS", "900"))
SESSION_COOKIE_AGE = int(env("ONEWINDOW_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# How many reverse proxies in front of the web nodes append to X-Forwarded-For (0: none,
# use the socket address). Per-IP limits and audit rows use the address this yields.
TRUSTED_PROXY_HOPS = int(env("ONEWINDOW_TRUSTED_PROXY_HOPS", "0"))

# Resident SMS login limits.
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_MAX_ATTEMPTS = 5
SMS_SEND_LIMITS_PER_PHONE = [(60, 1), (3600, 5), (86400, 10)]
SMS_SEND_LIMITS_PER_IP = [(3600, 30), (86400, 200)]

# --- crypto -----------------------------------------------------------------------------------
# "intl": AES-256-GCM, SHA-256, Ed25519.  "sm": SM4-GCM, SM3, SM2 (national algorithms).
CRYPTO_SUITE = env("ONEWINDOW_CRYPTO_SUITE", "intl")
# "kid:base64key,kid:base64key" — the first encrypts, all decrypt (rotation).
DATA_KEYS = env("ONEWINDOW_DATA_KEYS")
INDEX_KEY = env("ONEWINDOW_INDEX_KEY")
if PRODUCTION and (not DATA_KEYS or not INDEX_KEY):
    raise RuntimeError("ONEWINDOW_DATA_KEYS and ONEWINDOW_INDEX_KEY must be set in production")
# "kid:base64key,..." — keys the hash chains of the audit trail and the exchange's call log
# (the first keys new rows and checkpoints, all verify). Kept out of the database, so whoever
# can write the tables cannot recompute the chain. Signed checkpoints of the chains' heads are
# written to AUDIT_CHECKPOINT_DIR (keep it off the database's machine, or ship it elsewhere).
AUDIT_KEYS = env("ONEWINDOW_AUDIT_KEYS")
if PRODUCTION and not AUDIT_KEYS:
    raise RuntimeError("ONEWINDOW_AUDIT_KEYS must be set in production")
AUDIT_CHECKPOINT_DIR = env("ONEWINDOW_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints"))

# --- notifications ----------------------------------------------------------------------------
SMS_PROVIDER = env("ONEWINDOW_SMS_PROVIDER", "fake")
SMS_SIGN_NAME = env("ONEWINDOW_SMS_SIGN", "一网通办")
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_TEMPLATES = env("SMS_ALIYUN_TEMPLATES")
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY")
SMS_TENCENT_APP_ID = env("SMS_TENCENT_APP_ID")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", "ap-guangzhou")
SMS_TENCENT_TEMPLATES = env("SMS_TENCENT_TEMPLATES")
# The secret path segment of the delivery-receipt URL given to the vendor
# (/notify/receipts/<provider>/<token>/); unset: receipts are not accepted.
SMS_RECEIPT_TOKEN = env("ONEWINDOW_SMS_RECEIPT_TOKEN")
# Email (Django's SMTP backend; "fake" keeps the messages in memory) and the city's WeChat
# official account (docs/notifications.md).
NOTIFY_EMAIL_PROVIDER = env("ONEWINDOW_EMAIL_PROVIDER", "fake")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "一网通办 <noreply@onewindow.invalid>")
NOTIFY_WECHAT_PROVIDER = env("ONEWINDOW_WECHAT_PROVIDER", "fake")
NOTIFY_WECHAT_APPID = env("NOTIFY_WECHAT_APPID")
NOTIFY_WECHAT_SECRET = env("NOTIFY_WECHAT_SECRET")
NOTIFY_WECHAT_API = env("NOTIFY_WECHAT_API", "https://api.weixin.qq.com")
# The token of the official account's server URL (/notify/wechat/events/): WeChat signs
# each event push with it; unset: events are not accepted.
NOTIFY_WECHAT_TOKEN = env("NOTIFY_WECHAT_TOKEN")
# Quiet hours a person has unless they choose others: pushes wait until they end.
NOTIFY_QUIET_HOURS = (env("ONEWINDOW_QUIET_START", "22:00"), env("ONEWINDOW_QUIET_END", "08:00"))
# Automatic failover between a channel's providers (notify._routing): a provider whose
# last window_seconds of sends (at least min_attempts) failed more than error_rate or had a
# 90th-percentile answer slower than slow_ms is moved to the back for cool_off_seconds.
NOTIFY_FAILOVER = {
    "window_seconds": int(env("ONEWINDOW_FAILOVER_WINDOW_SECONDS", "300")),
    "min_attempts": int(env("ONEWINDOW_FAILOVER_MIN_ATTEMPTS", "5")),
    "error_rate": float(env("ONEWINDOW_FAILOVER_ERROR_RATE", "0.25")),
    "slow_ms": int(env("ONEWINDOW_FAILOVER_SLOW_MS", "5000")),
    "cool_off_seconds": int(env("ONEWINDOW_FAILOVER_COOL_OFF_SECONDS", "600")),
}
# Per-recipient and per-template limits on notifications (notify.services.notify_tell):
# (seconds, at most) pairs; what is over a limit is written in-app only and logged.
NOTIFY_LIMITS_PER_RECIPIENT = [(3600, 20), (86400, 50)]
NOTIFY_LIMITS_PER_TEMPLATE: list[tuple[int, int]] = []  # e.g. [(60, 3000)]

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# Holiday notices for years chinese-calendar has no data for yet (onewindow.core.calendar).
HOLIDAYS_FILE = env("ONEWINDOW_HOLIDAYS_FILE", "")
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = None if TESTING else VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("ONEWINDOW_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env("ONEWINDOW_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
        },
    }
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
API_MAX_BODY_BYTES = int(env("ONEWINDOW_API_MAX_BODY", str(256 * 1024)))

# --- celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL", REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_TASK_ALWAYS_EAGER = TESTING or env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Engine steps (cases.services.steps): a step a worker claimed longer ago than this is taken to
# be lost with its worker, and the beat job ``cases.steps_sweep`` queues it again.
CASES_STEP_CLAIM_TIMEOUT = int(env("ONEWINDOW_STEP_CLAIM_TIMEOUT", "300"))
# Redis (and SQS) give a message a worker took but never acknowledged to another worker after
# the visibility timeout (kombu's default: an hour). It follows the claim bound, but never
# drops below the longest countdown a task is sent with (an SMS retry waits up to 10 minutes,
# notify.services.sms_backoff_seconds) plus a margin: a worker holds such a message
# unacknowledged until it is due, and a shorter timeout would hand it to a second worker.
# A step lost with its worker is queued again by the sweep after CASES_STEP_CLAIM_TIMEOUT;
# the broker's later redelivery then finds nothing owed. Only transports that read it get
# it: the SQLAlchemy transport hands its options to SQLAlchemy's create_engine, which refuses
# unknown ones (and gives nothing back: there the sweep is what brings a lost step back).
BROKER_VISIBILITY_TIMEOUT = max(CASES_STEP_CLAIM_TIMEOUT, 900)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://", "sqs://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "notify-retry-stuck": {"task": "notify.sms_retry_pending", "schedule": 60.0},
    "notify-deliveries-retry-stuck": {"task": "notify.deliveries_retry_pending", "schedule": 60.0},
    "notify-providers-check": {"task": "notify.providers_check", "schedule": 60.0},
    "notify-digest": {"task": "notify.digest_send", "schedule": crontab(hour=19, minute=0)},
    "cases-sla-sweep": {"task": "cases.sla_sweep", "schedule": 60.0},
    # Engine steps owed and due (retries after a failure, steps lost with their worker).
    "cases-steps-sweep": {"task": "cases.steps_sweep", "schedule": 60.0},
    "appointments-sweep": {"task": "appointments.sweep", "schedule": 900.0},
    "delivery-advance": {"task": "delivery.advance", "schedule": 60.0},
    # Bills whose next sync is due (each provider gated by its backoff and circuit breaker).
    "bills-sync-due": {"task": "bills.sync_due", "schedule": 300.0},
    # Yesterday's statement, once the gateways have published it in the morning.
    "payments-reconcile": {"task": "payments.reconcile", "schedule": crontab(hour=10, minute=30)},
    "payments-resume-paid": {"task": "payments.resume_paid", "schedule": 300.0},
    # Signed checkpoints of the hash chains' heads, outside the database.
    "audit-checkpoint": {"task": "audit.checkpoint", "schedule": 900.0},
    "exchange-calllog-checkpoint": {"task": "exchange.calllog_checkpoint", "schedule": 900.0},
    # Expired SSO grants and tokens, and the redeemed codes nothing issued from is alive any more.
    "sso-purge": {"task": "sso.purge", "schedule": crontab(hour=3, minute=20)},
    # Library loans refreshed before the morning's due-date reminders (told once per due date).
    "onepass-sync-cards": {"task": "onepass.sync_cards", "schedule": crontab(hour=7, minute=0)},
    "onepass-remind-due-loans": {
        "task": "onepass.remind_due_loans",
        "schedule": crontab(hour=9, minute=0),
    },
    # Push rules: today's sweep of the scheduled rules over the population (resumable), and
    # the pushes held over the quiet hours (22:00–08:00) once their time has come.
    "outreach-sweep": {"task": "outreach.sweep", "schedule": crontab(hour=8, minute=30)},
    "outreach-deliver-due": {"task": "outreach.deliver_due", "schedule": 300.0},
    # Bad ratings' rectifications past their due day or not visited in time: supervised once
    # (idempotent, so hourly runs in working hours do no harm).
    "ratings-supervise-overdue": {
        "task": "ratings.supervise_overdue",
        "schedule": crontab(hour="8-20", minute=15),
    },
    # 12345 orders: chased the day after a missed deadline, escalated a day after the chase
    # (idempotent within a day, so hourly runs do no harm); the return visit's invitation the
    # day after the answer.
    "interaction-chase-overdue": {
        "task": "interaction.chase_overdue",
        "schedule": crontab(hour="8-20", minute=5),
    },
    "interaction-visit-invite": {
        "task": "interaction.visit_invite",
        "schedule": crontab(hour=10, minute=0),
    },
    # 好差评: a case or request concluded more than three days ago and not rated is invited
    # once, by SMS with a one-time link and in the message centre (in the morning, not at
    # night).
    "ratings-invite-unrated": {
        "task": "ratings.invite_unrated",
        "schedule": crontab(hour=10, minute=30),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- Content-Security-Policy (django-csp, onewindow.core.csp; docs/operations.md) -------------
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# Scripts and styles only from our static files (an inline <script> needs
# nonce="{{ request.csp_nonce }}"); no inline styles or style attributes; data: images only for
# the diagram viewer's CSS icons; no framing at all.
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
        "frame-ancestors": [NONE],
        # and, on HTML pages, the origins the sources below name
        "form-action": [SELF],
    }
}
# Where forms may lead after a redirect (Chromium checks each redirect against form-action):
# the SSO clients' redirect and post-logout URIs, the payment gateway's page.
CSP_FORM_ACTION_SOURCES = [
    "onewindow.sso.selectors.client_redirect_origins",
    "onewindow.payments.conf.form_action_origins",
]

# --- security (production) --------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- logging ----------------------------------------------------------------------------------
LOG_FORMAT = env("ONEWINDOW_LOG_FORMAT", "text" if DEBUG or TESTING or DEMO else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "onewindow.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Electronic licences (onewindow.licences): the issuer named in every credential, the public
# address printed in QR codes and status-list URLs, and the types signed with SM2 (the rest
# with Ed25519; an operator may change a type's algorithm afterwards).
LICENCES_PUBLIC_URL = env("ONEWINDOW_PUBLIC_URL", "http://127.0.0.1:8000")
LICENCES_ISSUER = env("ONEWINDOW_LICENCE_ISSUER", "did:web:onewindow.gz.gov.cn")
LICENCES_ISSUER_NAME = env("ONEWINDOW_LICENCE_ISSUER_NAME", "广州市政务服务数据管理局")
LICENCES_NUMBER_PREFIX = "4401"
LICENCES_SM2_TYPES = env(
    "ONEWINDOW_LICENCE_SM2_TYPES",
    "resident-id-card,household-register,residence-permit,hk-macau-permit,hk-macau-endorsement,"
    "marriage-certificate,birth-medical-certificate",
).split(",")

# Licence signing keys (docs/licences.md): ONEWINDOW_LICENCE_KEY_EDDSA = base64 of the 32-byte
# Ed25519 private key, ONEWINDOW_LICENCE_KEY_SM2 = "<private hex>:<public hex>" (32 and 64
# bytes); `onewindow licence_keys_generate` prints both. Required in production; elsewhere a
# key is generated on first use and kept, encrypted, in the database.
LICENCES_SIGNING_KEYS = {
    "EdDSA": env("ONEWINDOW_LICENCE_KEY_EDDSA"),
    "SM2": env("ONEWINDOW_LICENCE_KEY_SM2"),
}

# Single sign-on: OneWindow as an OpenID Connect provider (onewindow.sso, docs/sso.md).
from onewindow.sso.keys import oidc_signing_keys  # noqa: E402

_OIDC_KEY, _OIDC_KEYS_INACTIVE = oidc_signing_keys(production=PRODUCTION, var_dir=VAR_DIR)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _OIDC_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_KEYS_INACTIVE,
    "OIDC_ISS_ENDPOINT": env("ONEWINDOW_OIDC_ISSUER"),  # empty: <origin>/o
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "onewindow.sso.validators.OneWindowValidator",
    "SCOPES": {
        "openid": _("登录身份标识"),
        "profile": _("姓名（部分隐藏）"),
        "phone": _("手机号码（部分隐藏）"),
        "realname": _("实名信息：完整姓名和身份证号码"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    # A client stays signed in for at most this long without the resident signing in again;
    # expired tokens, and the codes whose tokens have all expired, are purged daily (sso.purge).
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(env("ONEWINDOW_SSO_REFRESH_DAYS", "30")) * 86400,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 only, bearer
    # tokens in headers only, `iss` in authorisation responses, tokens hashed at rest.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": PRODUCTION,
}
