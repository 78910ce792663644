"""Event type names (``indicator_report.updated``) and the ``type`` filter: no database here.

A type is ``<entity_type>.<action in the past tense>``; the audit trail stores the action in the
present (``update``), so a filter is turned back into what is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Audit actions and how an event type says them. An action not listed (one a later branch adds)
# is still named by the regular rule; listing it here makes it filterable.
PAST_TENSE = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "import": "imported",
    "approve": "approved",
    "return": "returned",
    "reopen": "reopened",
    "revoke": "revoked",
    "reply": "replied",
    "send": "sent",  # reminder.sent
    # Time-driven events (app/ops/maintenance.py): obligation.overdue, obligation.due_soon,
    # milestone.overdue, task.health_changed.
    "overdue": "overdue",
    "due_soon": "due_soon",
    "health_change": "health_changed",
    "complete": "completed",  # bulk_upload.completed
}
# A bulk upload's own event, appended last in its transaction: webhooks announce the upload
# with it rather than with a call per record (app/webhooks/delivery.py).
BULK_UPLOAD = "bulk_upload"
BULK_COMPLETED = "bulk_upload.completed"
_PRESENT = {past: action for action, past in PAST_TENSE.items()}
_TYPE = re.compile(r"^([a-z][a-z_]{0,63})\.([a-z][a-z_]{0,31}|\*)$")
MAX_TYPES = 20


def past_tense(action: str) -> str:
    return PAST_TENSE.get(action) or (action + "d" if action.endswith("e") else action + "ed")


def event_type(entity_type: str, action: str) -> str:
    return f"{entity_type}.{past_tense(action)}"


@dataclass(frozen=True)
class TypeFilter:
    """Entity types matched whole (``task.*``) and ``entity_type.action`` pairs as stored."""

    entity_types: tuple[str, ...]
    stored_types: tuple[str, ...]


def parse_types(values: list[str], known_entities: set[str]) -> TypeFilter:
    """The filter for ``?type=`` values (each may be comma-separated); ``ValueError`` names the
    first value that is not an event type."""
    wholes: list[str] = []
    pairs: list[str] = []
    for value in (part.strip() for raw in values for part in raw.split(",")):
        match = _TYPE.match(value)
        if match is None or match[1] not in known_entities:
            raise ValueError(value)
        entity, verb = match[1], match[2]
        if verb == "*":
            wholes.append(entity)
        elif verb in _PRESENT:
            pairs.append(f"{entity}.{_PRESENT[verb]}")
        else:
            raise ValueError(value)
    return TypeFilter(tuple(sorted(set(wholes))), tuple(sorted(set(pairs))))
