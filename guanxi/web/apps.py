"""Django app configuration for the web shell."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web shell app: base templates, vendored static files, login and navigation."""

    name = "guanxi.web"
    label = "web"
