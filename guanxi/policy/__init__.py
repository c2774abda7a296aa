"""The permission policy: the one place that decides who may see and change what.

Services and selectors ask this package; views, API handlers, navigation and templates
never decide access themselves, and no role set is written anywhere else.

* ``actions`` — the action table (action → roles → scope rule) and ``allows``/``require``/
  ``scoped``; each domain's actions in its own module (``customers``, ``org``, ``audit``,
  ``insights``, ``sales``, ``service``, ...);
* ``rules`` — record scope for any owned record (own, team, branch, all) and the other
  scope rules (same branch, creator);
* ``fields`` — per-field access (full, masked, hidden) by role, and field grants;
* ``masks`` — the mask table of every personal field.
"""

from guanxi.policy.actions import ACTIONS, action, allows, require, roles_for, scoped
from guanxi.policy.cases import (
    keeps_cases_they_open,
    may_be_given_cases,
    sees_phone_of_open_cases,
)
from guanxi.policy.customers import (
    customer_scope,
    may_own_customers,
    scope_condition,
    scope_unit,
    scope_values,
    sees_all_customers,
)
from guanxi.policy.fields import (
    PERSONAL_FIELDS,
    ROLE_FIELD_ACCESS,
    Access,
    access_everywhere,
    can_reveal,
    field_access,
    field_access_of,
    may_search_by,
    register_field_grant,
    unregister_field_grant,
)
from guanxi.policy.masks import (
    MASKS,
    access_to,
    mask_account_number,
    mask_birthday,
    mask_email,
    mask_id_number,
    mask_phone,
    present,
)
from guanxi.policy.org import (
    needs_branch,
    needs_team,
    receives_branch_escalations,
    receives_team_escalations,
)
from guanxi.policy.rules import ROLE_SCOPE, Scope
from guanxi.policy.viewer import CustomerRef, Viewer

__all__ = [
    "ACTIONS",
    "MASKS",
    "PERSONAL_FIELDS",
    "ROLE_FIELD_ACCESS",
    "ROLE_SCOPE",
    "Access",
    "CustomerRef",
    "Scope",
    "Viewer",
    "access_everywhere",
    "access_to",
    "action",
    "allows",
    "can_reveal",
    "customer_scope",
    "field_access",
    "field_access_of",
    "keeps_cases_they_open",
    "may_be_given_cases",
    "may_search_by",
    "mask_account_number",
    "mask_birthday",
    "mask_email",
    "mask_id_number",
    "mask_phone",
    "needs_branch",
    "needs_team",
    "may_own_customers",
    "present",
    "receives_branch_escalations",
    "receives_team_escalations",
    "register_field_grant",
    "require",
    "roles_for",
    "scope_condition",
    "scope_unit",
    "scope_values",
    "scoped",
    "sees_phone_of_open_cases",
    "sees_all_customers",
    "unregister_field_grant",
]
