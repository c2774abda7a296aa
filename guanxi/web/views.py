"""Pages of the web shell: log in and out, the home page, and the language switch."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from guanxi.activities import my_day
from guanxi.org.models import Profile
from guanxi.org.services import remember_language
from guanxi.request_context import viewer_of


class LoginForm(AuthenticationForm):
    """Django's login form with translated labels and Tabler styling.

    It calls ``authenticate(request, ...)``, which django-axes watches for repeated
    failures.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class LoginView(auth_views.LoginView):
    """The login page; after a successful login the user's saved language is applied."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Log in, then switch to the language saved in the user's profile, if any."""
        response = super().form_valid(form)
        profile = Profile.objects.filter(user=form.get_user()).first()
        if profile and profile.language in dict(settings.LANGUAGES):
            _remember_language(response, profile.language)
        return response


def _remember_language(response: HttpResponse, language: str) -> None:
    # The cookie is what LocaleMiddleware reads on the next request; activating now
    # translates anything still rendered in this one.
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie and redirect), plus saving the choice to the profile.

    The user's language then follows them to other browsers: it is applied at login.
    """
    response = set_language(request)
    if request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language", ""))
    return response


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    """The home page: my day for account managers and team leads, the customer list for
    everyone else."""
    if my_day.lands_on_my_day(viewer_of(request)):
        return redirect("activities:my_day")
    return redirect("customers:list")
