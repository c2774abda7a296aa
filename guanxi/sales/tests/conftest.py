"""Fixtures of the sales tests: the default pipeline and opportunities made by the service."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.sales import services
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.models import Opportunity, Pipeline, Stage

CONTEXT = RequestContext(channel="test")


@pytest.fixture
def pipeline(db) -> Pipeline:
    """The default acquisition pipeline (the data migration made it; a flush may not have)."""
    return ensure_default_pipeline(Pipeline, Stage)


@pytest.fixture
def stages(pipeline) -> dict[str, Stage]:
    """The default pipeline's stages by code."""
    return {s.code: s for s in pipeline.stages.all()}


@pytest.fixture
def make_opportunity(staff, pipeline, make_customer) -> Callable[..., Opportunity]:
    """Open an opportunity through the service, as the administrator; a new customer of
    the account manager unless one is given."""
    admin = policy.Viewer.of(staff["admin"])

    def make(customer=None, **fields) -> Opportunity:
        customer = customer or make_customer()
        data = {
            "name": "理财产品配置",
            "customer_id": customer.pk,
            "amount": Decimal("500000.00"),
            **fields,
        }
        data.setdefault("owner_id", customer.owner_id)
        return services.opportunity_create(
            viewer=admin, fields=OpportunityFields.from_mapping(data), context=CONTEXT
        )

    return make
