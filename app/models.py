"""Every model, imported in one place so Alembic and the mapper see the whole schema."""

from app.audit.models import AuditEvent
from app.audit.service import audit_entity_types, audit_models
from app.auth.models import ApiKey, RateLimitWindow
from app.bulk.models import BulkJob
from app.idempotency.models import IdempotencyRecord
from app.imports.models import PlanImport
from app.indicators.models import Indicator
from app.milestones.models import Milestone, MilestoneEvent
from app.obligations.models import ObligationEvent
from app.plans.models import Plan
from app.reminders.models import Reminder
from app.reports.models import IndicatorReport
from app.responsibilities.models import Responsibility
from app.tasks.models import ProgressUpdate, Task, TaskHealthState, TaskRelation
from app.units.models import Unit
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "AuditEvent",
    "BulkJob",
    "IdempotencyRecord",
    "Indicator",
    "IndicatorReport",
    "Milestone",
    "MilestoneEvent",
    "ObligationEvent",
    "Plan",
    "PlanImport",
    "ProgressUpdate",
    "RateLimitWindow",
    "Reminder",
    "Responsibility",
    "Task",
    "TaskHealthState",
    "TaskRelation",
    "Unit",
    "WebhookDelivery",
    "WebhookEndpoint",
]

audit_models(
    {
        ApiKey: "api_key",
        Indicator: "indicator",
        IndicatorReport: "indicator_report",
        Milestone: "milestone",
        Plan: "plan",
        ProgressUpdate: "progress_update",
        Reminder: "reminder",
        PlanImport: "plan_import",
        Responsibility: "responsibility",
        Task: "task",
        Unit: "unit",
    }
)
audit_entity_types(
    "obligation",  # time-driven events (app/obligations/timed.py)
    "bulk_upload",  # an upload's bulk_upload.completed (app/bulk/service.py)
)
