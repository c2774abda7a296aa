"""Django app configuration for the demo commands."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo app: ``guanxi demo`` and ``guanxi demo-data``."""

    name = "guanxi.demo"
    label = "demo"
