"""The API's schemas are named by their class: two classes of one name would share one
entry of the OpenAPI document, and one of them would describe the other's answers."""

from collections import defaultdict

from pydantic import BaseModel

import guanxi.api  # noqa: F401  (every router and its schemas)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name():
    modules = defaultdict(set)
    for model in _subclasses(BaseModel):
        if model.__module__.startswith("guanxi."):
            modules[model.__name__].add(model.__module__)
    assert {name: sorted(found) for name, found in modules.items() if len(found) > 1} == {}
