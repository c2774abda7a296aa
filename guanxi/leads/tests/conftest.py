"""Fixtures of the lead tests: leads captured through the service."""

from collections.abc import Callable

import pytest

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.leads import services
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import Lead
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import Pipeline, Stage

CONTEXT = RequestContext(channel="test")


@pytest.fixture
def pipeline(db) -> Pipeline:
    """The default acquisition pipeline (a flush may have removed it)."""
    return ensure_default_pipeline(Pipeline, Stage)


@pytest.fixture
def make_lead(staff, org) -> Callable[..., Lead]:
    """Capture a lead as the account manager (its owner) unless ``by`` names another role."""

    def make(name: str = "王小明", by: str = "account_manager", **fields) -> Lead:
        data = {
            "name": name,
            "source": "walk_in",
            "phone": "13900001111",
            "branch_id": org["north"].pk,
            **fields,
        }
        return services.lead_create(
            viewer=policy.Viewer.of(staff[by]),
            fields=LeadFields.from_mapping(data),
            context=CONTEXT,
        )

    return make
