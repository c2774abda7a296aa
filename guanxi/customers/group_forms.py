"""Forms of the group pages and the list's bulk actions: they parse and render; the rules
(who may fill which group, whom customers may be given to) are the services' and the
policy's, which also decide the choices offered."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi import policy
from guanxi.customers.forms import ServiceErrorsMixin, blank_choice, staff_name
from guanxi.customers.selection import groups_fillable_for_user, owners_assignable_for_user


class AddToGroupForm(ServiceErrorsMixin, forms.Form):
    """Add the selection to a static group the viewer may fill, or to a new one."""

    # Named apart from the list's own filters (group_id, owner_id), which travel alongside.
    FIELD_MAP = {"name": "new_group_name", "group_id": "target_group"}

    target_group = forms.TypedChoiceField(
        label=_("Existing group"), coerce=int, required=False, empty_value=None
    )
    new_group_name = forms.CharField(
        label=_("Or a new group named"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, viewer: policy.Viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["target_group"])
        field.choices = blank_choice("—") + [
            (str(g.pk), g.name) for g in groups_fillable_for_user(viewer)
        ]
        field.widget.attrs["class"] = "form-select"


class AssignOwnerForm(ServiceErrorsMixin, forms.Form):
    """Give the selection to an account manager the viewer may give customers to."""

    FIELD_MAP = {"owner_id": "new_owner"}

    new_owner = forms.TypedChoiceField(label=_("New account manager"), coerce=int)

    def __init__(self, *args, viewer: policy.Viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["new_owner"])
        field.choices = blank_choice("—") + [
            (str(p.user_id), f"{staff_name(p)} · {p.branch.name if p.branch else ''}")
            for p in owners_assignable_for_user(viewer)
        ]
        field.widget.attrs["class"] = "form-select"


class GroupCreateForm(ServiceErrorsMixin, forms.Form):
    """A new group's name (a static list here; a saved filter from the customer list)."""

    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
