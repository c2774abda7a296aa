"""Django settings for Guanxi, read from the environment.

``base`` holds the settings of every run mode; ``GUANXI_ENV=production`` adds those of
``production`` on top (see README, "Production"). ``GUANXI_ENV`` unset or ``development``
is the embedded mode that needs no setup.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from guanxi.settings.base import *  # noqa: F403

GUANXI_ENV = os.environ.get("GUANXI_ENV", "development")
if GUANXI_ENV == "production":
    from guanxi.settings.production import *  # noqa: F403
elif GUANXI_ENV != "development":
    raise ImproperlyConfigured(
        f"GUANXI_ENV={GUANXI_ENV!r}: the run modes are 'development' and 'production'."
    )
