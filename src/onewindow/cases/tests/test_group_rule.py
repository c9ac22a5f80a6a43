"""One rule maps a candidate group to a department and role: the running case places a
task exactly where the package validator said it would, and refuses what it refused."""

from __future__ import annotations

import pytest

from onewindow.cases.services.process import group_target
from onewindow.catalog.selectors import candidate_group_target
from onewindow.core.errors import ApplicationError

CASES = [
    ("clerk", {"clerk": {"department": "gz-gaj", "role": "window_clerk"}}),
    ("gz-mzj:approver", {}),
    # a roles entry without its role: the literal department:role still places it
    ("gz-mzj:approver", {"gz-mzj:approver": {"department": "gz-gaj"}}),
    ("clerk", {"clerk": {"department": "gz-gaj"}}),  # neither places it
    ("clerk", {"clerk": "gz-gaj:window_clerk"}),  # not a mapping: unplaced
    ("gz-mzj:", {}),
    ("company:capital_paid", {}),  # a company's task: no department role holds it
]


@pytest.mark.parametrize(("group", "roles"), CASES)
def test_the_runtime_places_a_group_where_the_validator_does(group, roles) -> None:
    expected = candidate_group_target(group, roles=roles)
    if expected is None:
        with pytest.raises(ApplicationError, match="无法对应到部门和角色"):
            group_target(group, definition={"roles": roles})
    else:
        assert group_target(group, definition={"roles": roles}) == expected


def test_an_incomplete_roles_entry_falls_back_to_the_literal_group() -> None:
    roles = {"gz-mzj:approver": {"department": "gz-gaj"}}
    assert group_target("gz-mzj:approver", definition={"roles": roles}) == (
        "gz-mzj",
        "approver",
    )
