"""Web shell URLs: login, logout, language switch and the home page."""

from django.contrib.auth import views as auth_views
from django.urls import path

from guanxi.web import views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only, so a link cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.switch_language, name="language"),
    path("", views.home, name="home"),
]
