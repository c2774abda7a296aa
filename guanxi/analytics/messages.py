"""The analyst commands' texts in the language of the environment, without Django.

The console commands that run on this library (``guanxi clv``, ``churn``, ``analyze-file``,
and ``guanxi``'s own overview) word their help and messages through the standard library's
``gettext`` and this package's catalogue, ``locale/zh_Hans/LC_MESSAGES/guanxi_analytics.mo``.
The language is the one the environment asks for, read as GNU gettext reads it: the first
of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set; ``zh…`` (``zh_CN``,
``zh_Hans``, ``zh_SG``…) is Simplified Chinese, anything else English. Loading a ``.mo``
file costs well under a millisecond, so ``guanxi clv fit`` starts as fast as before.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "guanxi_analytics"
CHINESE = "zh_Hans"


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """``"zh"`` when the environment asks for Chinese, else ``"en"``."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.split(":")[0].lower().startswith("zh") else "en"
    return "en"


@cache
def _catalogue(language: str) -> _gettext.NullTranslations:
    if language != "zh":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[CHINESE], fallback=True)


def _(message: str) -> str:
    """``message`` in the environment's language (English where the catalogue has none)."""
    return _catalogue(environment_language()).gettext(message)
