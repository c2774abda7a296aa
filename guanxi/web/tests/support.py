"""Helpers shared by the page tests of every domain."""

from django.test import Client

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_for(user) -> Client:
    """A test client with ``user`` logged in.

    ``force_login`` names the model backend: django-axes' backend comes first in the
    settings and only authenticates, it does not load users from the session.
    """
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client
