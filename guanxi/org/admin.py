"""The Django admin's user pages, held to the same deactivation rule as the API.

Unticking "active" on a user who still holds records is refused on the form, naming the
field and what they hold; a deactivation that passes goes through ``staff_deactivate``
(audit entry, tokens revoked), not through a bare save.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from guanxi.org.deactivation import PortfolioNotEmpty, deactivation_blockers, staff_deactivate
from guanxi.request_context import context_of, viewer_of

User = get_user_model()


class GuardedUserChangeForm(UserChangeForm):
    """The user form, refusing to deactivate someone who still holds records."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_active and not cleaned.get("is_active", True):
            remaining = deactivation_blockers(self.instance.pk)
            if remaining:
                self.add_error("is_active", PortfolioNotEmpty(remaining).messages[0])
        return cleaned


class GuardedUserAdmin(UserAdmin):
    """Users in the admin; a deactivation is the staff service's, with its guard."""

    form = GuardedUserChangeForm

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        # Without a profile nobody holds records, nor is anyone's colleague: a plain save.
        if not deactivating or not hasattr(obj, "profile"):
            super().save_model(request, obj, form, change)
            return
        obj.is_active = True  # the other changes first; the service then deactivates
        super().save_model(request, obj, form, change)
        staff_deactivate(
            viewer=viewer_of(request), user_id=obj.pk, context=context_of(request, "admin")
        )
        obj.is_active = False


admin.site.unregister(User)
admin.site.register(User, GuardedUserAdmin)
