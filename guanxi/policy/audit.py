"""The audit domain's actions: reading the log of who saw and changed what."""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, Action

ACTIONS = (Action("audit.read", {Role.ADMINISTRATOR: EVERYWHERE, Role.AUDITOR: EVERYWHERE}),)
