"""The settings of every run mode, read from the environment.

Embedded defaults need no setup: a SQLite file in WAL mode under ``GUANXI_DATA_DIR``
(``./var`` by default). ``DATABASE_URL`` (dj-database-url syntax) names another SQLite file
or PostgreSQL.
"""

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from guanxi.settings.database import database_from_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GUANXI_DATA_DIR", Path.cwd() / "var")).resolve()

SECRET_KEY = os.environ.get("GUANXI_SECRET_KEY", "guanxi-insecure-development-key-change-me")
DEBUG = os.environ.get("GUANXI_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("GUANXI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    # Listed so that the API docs render from its vendored Swagger UI, not from a CDN.
    "ninja",
    "guanxi.core",
    "guanxi.org",
    "guanxi.audit",
    "guanxi.customers",
    "guanxi.web",
    "guanxi.demo",
    "django_tasks",
    "django_tasks_db",
    "guanxi.insights",
    "guanxi.activities",
    "guanxi.sales",
    "guanxi.leads",
    "guanxi.scheduling",
    "guanxi.plans",
    "guanxi.kpis",
    "guanxi.service",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, which answers static files itself: those keep their caching.
    "guanxi.middleware.NoStoreByDefault",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanxi.middleware.SlidingSessionExpiry",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "guanxi.middleware.CheckRequestBody",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"

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
                "guanxi.web.context.navigation",
            ],
        },
    },
]


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), DATA_DIR)}

# Background work (analytics runs): a database queue, worked off by ``guanxi db_worker``.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Domain-event dispatch (guanxi.core.events.config reads and checks this).
GUANXI_EVENTS = {
    # Attempts of a failing handler at one event before it gives up (left visible in
    # ``guanxi dispatch-events --failures``); retries wait 30 s, then twice as long each time.
    "max_attempts": int(os.environ.get("GUANXI_EVENT_MAX_ATTEMPTS", "5")),
    "retry_seconds": 30.0,
    # Off: committing an event queues no task; a ``guanxi dispatch-events --watch`` process
    # dispatches instead, and writes skip the look for a waiting task (see the README).
    "queue_dispatch": os.environ.get("GUANXI_EVENT_QUEUE_DISPATCH", "1") == "1",
}

# What analytics runs write back (guanxi.insights.config reads and checks this).
GUANXI_INSIGHTS = {
    # Value tier by percentile of this measure, best customers first: "value" (the company
    # industry's value measure: AUM for a bank, monthly spend for an operator), "clv" or
    # "score"; whoever is in none of the listed shares gets the standard tier.
    "tier_measure": "value",
    "value_tiers": [("platinum", 0.05), ("gold", 0.15), ("silver", 0.30)],
    "write_value_tier": True,
    "cross_sell_per_customer": 3,
    # Finished runs whose scores are kept as history (a run of 1M customers is ~0.4 GB).
    "keep_runs": 30,
    # Local hour at which ``guanxi schedule-nightly`` queues the nightly run.
    "nightly_hour": int(os.environ.get("GUANXI_NIGHTLY_HOUR", "2")),
    # The churn call list: warned customers by value at risk = churn probability x this
    # measure ("value": the industry's value measure, or "revenue_12m", "total_revenue",
    # "clv", "aum", "profit_12m", "monthly_spend"); its length is this share of the
    # customers analysed, or, if churn_calls_per_owner is a number, that many per account
    # manager (customers without one: that many per branch).
    "churn_value_measure": "value",
    "churn_list_share": 0.05,
    "churn_calls_per_owner": None,
}
# Leads (guanxi.leads.config reads this; missing keys take its defaults).
GUANXI_LEADS = {
    # A lead with no first response this many hours after it came in goes to the team lead
    # (``guanxi escalate-leads``, run every hour or so).
    "escalate_after_hours": int(os.environ.get("GUANXI_LEADS_ESCALATE_AFTER_HOURS", "24")),
    # Most open leads an owner holds before assignment passes them over.
    "max_open_leads": 200,
    # Web forms posting to /api/v1/leads/web-form: {"code": {"token": ..., "branch": ...}}.
    "web_forms": {},
}
# The service desk (guanxi.service.config reads this; missing keys take its defaults).
GUANXI_SERVICE = {
    # The department that owns each case type: a new case of the type with no category
    # queue goes to that department's queue (the customer's branch's, else head office's).
    "case_type_departments": {"complaint": "compliance"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Masked values one user may reveal in an hour (guanxi.customers.reveals).
GUANXI_REVEALS_PER_HOUR = int(os.environ.get("GUANXI_REVEALS_PER_HOUR", "20"))
# Customers one export of the customer list may hold; a larger list is refused (422).
GUANXI_EXPORT_MAX_ROWS = int(os.environ.get("GUANXI_EXPORT_MAX_ROWS", "100000"))
# Customers one bulk action (add to a group, assign an owner) may change; more is refused.
GUANXI_BULK_MAX_CUSTOMERS = int(os.environ.get("GUANXI_BULK_MAX_CUSTOMERS", "1000"))
# Seconds a process remembers a verified API token (guanxi.org.authentication); 0: never.
GUANXI_TOKEN_CACHE_SECONDS = float(os.environ.get("GUANXI_TOKEN_CACHE_SECONDS", "5"))
# Seconds a process remembers which analysis run is current (guanxi.insights.current_run).
GUANXI_CURRENT_RUN_SECONDS = float(os.environ.get("GUANXI_CURRENT_RUN_SECONDS", "5"))
# Attachments of activities (guanxi.activities.attachments): the largest file, and the
# file name extensions allowed with the content types each may be sent as.
GUANXI_ATTACHMENT_MAX_BYTES = int(os.environ.get("GUANXI_ATTACHMENT_MAX_BYTES", str(10 * 2**20)))
GUANXI_ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".png": ("image/png",),
    ".txt": ("text/plain",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
}
AXES_FAILURE_LIMIT = int(os.environ.get("GUANXI_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
# A user name at an address is locked out, not the address: one person guessing passwords
# must not lock out every colleague behind the same office gateway.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "guanxi.web.lockout.lockout_response"

LOGIN_URL = "web:login"
# The home page sends each user to their landing page (my day, or the customer list).
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("GUANXI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (attachments) under the data directory; served to users by views that
# check the policy, never as public URLs.
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (guanxi.middleware.SlidingSessionExpiry).
SESSION_COOKIE_AGE = int(os.environ.get("GUANXI_SESSION_IDLE_MINUTES", "30")) * 60
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Everything the pages load comes from this server: scripts and styles only from files
# (no inline code, no eval), so injected markup cannot run. Data URIs are the SVG icons
# of Tabler's and Swagger UI's style sheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANXI_LOG_LEVEL", "WARNING")},
}

# Mail (invitations and reminders): Django's SMTP backend, configured by the environment.
EMAIL_HOST = os.environ.get("GUANXI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("GUANXI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("GUANXI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("GUANXI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("GUANXI_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("GUANXI_EMAIL_FROM", "guanxi@localhost")
# Calendar reminders: minutes before a meeting's start unless it says otherwise, and the
# hour of the morning after its due date an open task is reminded of as overdue.
GUANXI_REMINDER_MINUTES = int(os.environ.get("GUANXI_REMINDER_MINUTES", "15"))
GUANXI_OVERDUE_REMINDER_HOUR = 9
