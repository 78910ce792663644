"""Event type names and the ``type`` filter, with no database: the time-driven actions are
named and filterable like any other."""

from __future__ import annotations

import pytest

from app.events.naming import event_type, parse_types

ENTITIES = {"obligation", "milestone", "task", "indicator_report"}


@pytest.mark.parametrize(
    ("entity", "action", "name"),
    [
        ("obligation", "due_soon", "obligation.due_soon"),
        ("obligation", "overdue", "obligation.overdue"),
        ("milestone", "overdue", "milestone.overdue"),
        ("task", "health_change", "task.health_changed"),
        ("indicator_report", "update", "indicator_report.updated"),
    ],
)
def test_a_stored_action_is_named_and_the_name_filters_for_it(
    entity: str, action: str, name: str
) -> None:
    assert event_type(entity, action) == name
    assert parse_types([name], ENTITIES).stored_types == (f"{entity}.{action}",)


@pytest.mark.parametrize(
    "value", ["task.health_change", "task._changed", "task.Health_changed", "obligation.due__"]
)
def test_what_is_not_an_event_type_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"^(task|obligation)\."):
        parse_types([value], ENTITIES)
