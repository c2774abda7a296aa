"""What ``GUANXI_ENV=production`` adds to the base settings: HTTPS only, a real secret key.

Behind a proxy that terminates TLS, the proxy may do the redirect to HTTPS and send HSTS
itself: ``GUANXI_SSL_REDIRECT=0`` and ``GUANXI_HSTS_SECONDS=0`` switch Django's off (and
silence the deployment checks that would then warn), ``GUANXI_PROXY_SSL_HEADER`` names the
header by which the proxy says that the request came over HTTPS.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _flag(name: str, default: str = "1") -> bool:
    value = os.environ.get(name, default)
    if value not in ("0", "1"):
        raise ImproperlyConfigured(f"{name}={value!r}: use 1 (on) or 0 (off).")
    return value == "1"


SECRET_KEY = os.environ.get("GUANXI_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "GUANXI_ENV=production needs GUANXI_SECRET_KEY: a long random value, e.g. from "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
# Django's deployment check only warns of a weak key (security.W009); here it is refused,
# since sessions, password resets and signed values are only as safe as the key.
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
    or SECRET_KEY == "guanxi-insecure-development-key-change-me"
):
    raise ImproperlyConfigured(
        "GUANXI_SECRET_KEY is too weak: use at least 50 random characters, e.g. from "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
if _flag("GUANXI_DEBUG", "0"):
    raise ImproperlyConfigured("GUANXI_DEBUG=1 shows internals to anyone: not in production.")
DEBUG = False

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("GUANXI_SECURE_COOKIES")
SECURE_SSL_REDIRECT = _flag("GUANXI_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("GUANXI_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("GUANXI_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("GUANXI_HSTS_PRELOAD")

_proxy_header = os.environ.get("GUANXI_PROXY_SSL_HEADER", "")
if _proxy_header:
    # "X-Forwarded-Proto" arrives in request.META as HTTP_X_FORWARDED_PROTO.
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("GUANXI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# What the operator switched off on purpose is not a deployment warning.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, on in [
        ("security.W004", SECURE_HSTS_SECONDS),
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS or not SECURE_HSTS_SECONDS),
        ("security.W021", SECURE_HSTS_PRELOAD or not SECURE_HSTS_SECONDS),
        ("security.W008", SECURE_SSL_REDIRECT),
        ("security.W012", SESSION_COOKIE_SECURE),
        ("security.W016", CSRF_COOKIE_SECURE),
    ]
    if not on
]
