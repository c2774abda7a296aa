"""Who a bearer token belongs to, remembered for a few seconds per process.

An API client sends its token with every call; looking it up each time was the largest
single cost of a customer read. A process therefore keeps a verified token for
``GUANXI_TOKEN_CACHE_SECONDS`` (default 5; 0 turns this off). Revoking a token, or
changing or deactivating its user, takes effect at once in the process that made the
change and within that many seconds in every other.
"""

from threading import Lock
from time import monotonic

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from guanxi.org.models import ApiToken, Profile, hash_token

_remembered: dict[str, tuple[float, object]] = {}
_lock = Lock()
# A process never holds more than this many tokens; an attacker sending random tokens
# cannot grow it, because only valid tokens are remembered.
MAX_REMEMBERED = 10_000


def user_for_token(raw: str):
    """The active user a raw bearer token belongs to, or None."""
    key = hash_token(raw)
    now = monotonic()
    found = _remembered.get(key)
    if found is not None and found[0] > now:
        return found[1]
    token = ApiToken.objects.active(key)
    if token is None or not token.user.is_active:
        _remembered.pop(key, None)
        return None
    ttl = settings.GUANXI_TOKEN_CACHE_SECONDS
    if ttl > 0:
        with _lock:
            if len(_remembered) >= MAX_REMEMBERED:
                _remembered.clear()
            _remembered[key] = (now + ttl, token.user)
    return token.user


def forget_tokens(**kwargs) -> None:
    """Drop every remembered token (connected to changes of tokens, users and profiles)."""
    with _lock:
        _remembered.clear()


def connect_signals() -> None:
    """Forget remembered tokens whenever a token, user or profile changes in this process."""
    for model in (ApiToken, Profile, get_user_model()):
        post_save.connect(forget_tokens, sender=model, dispatch_uid=f"forget-tokens-{model}")
        post_delete.connect(forget_tokens, sender=model, dispatch_uid=f"forget-tokens-d-{model}")
