"""What the office reads at a glance: a plan's dashboard and a unit's scorecard."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.reminders.schemas import ReminderRecord
from app.tasks.schemas import HealthStatus


class TaskStatusCounts(BaseModel):
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    suspended: int = 0
    cancelled: int = 0


class HealthCounts(BaseModel):
    green: int = 0
    amber: int = 0
    red: int = 0


class IndicatorStatusCounts(BaseModel):
    achieved: int = 0
    on_track: int = 0
    at_risk: int = 0
    behind: int = 0
    no_data: int = 0


class ObligationStatusCounts(BaseModel):
    upcoming: int = 0
    due: int = 0
    overdue: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0


class TaskSummary(BaseModel):
    total: int = Field(description="Work items: key tasks, work points and subtasks.")
    by_status: TaskStatusCounts
    by_health: HealthCounts


class IndicatorSummary(BaseModel):
    total: int
    by_status: IndicatorStatusCounts


class OverdueMilestone(BaseModel):
    milestone_id: int
    task_id: int
    task_number: str
    title: str
    due_on: date


class UnitOverdue(BaseModel):
    unit_id: int
    unit_name: str
    overdue: int = Field(description="Reports past their due date and not submitted.")


class ObligationSummary(BaseModel):
    by_status: ObligationStatusCounts
    overdue_by_unit: list[UnitOverdue] = Field(description="Most overdue first.")


class TaskHealthLine(BaseModel):
    task_id: int
    kind: str
    number: str
    title: str
    status: str
    due_on: date | None
    health: HealthStatus
    reasons: list[str]


class UnownedIndicator(BaseModel):
    indicator_id: int
    code: str
    name: str
    task_id: int
    task_number: str


class SectionLine(BaseModel):
    task_id: int
    number: str
    title: str
    health: HealthStatus
    items: HealthCounts = Field(description="The section's work items (not sub-headings).")


class PlanDashboard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 1,
                    "as_of": "2024-07-20",
                    "known_at": "2024-07-20T10:00:00Z",
                    "tasks": {
                        "total": 29,
                        "by_status": {
                            "not_started": 3,
                            "in_progress": 24,
                            "completed": 2,
                            "suspended": 0,
                            "cancelled": 0,
                        },
                        "by_health": {"green": 20, "amber": 6, "red": 3},
                    },
                    "indicators": {
                        "total": 15,
                        "by_status": {
                            "achieved": 2,
                            "on_track": 8,
                            "at_risk": 2,
                            "behind": 1,
                            "no_data": 2,
                        },
                    },
                    "overdue_milestones": [
                        {
                            "milestone_id": 5,
                            "task_id": 20,
                            "task_number": "13",
                            "title": "新馆全面建成、全面开放",
                            "due_on": "2024-06-30",
                        }
                    ],
                    "obligations": {
                        "by_status": {
                            "upcoming": 40,
                            "due": 5,
                            "overdue": 3,
                            "submitted": 20,
                            "approved": 12,
                            "returned": 1,
                        },
                        "overdue_by_unit": [{"unit_id": 7, "unit_name": "科普部", "overdue": 2}],
                    },
                    "key_tasks": [
                        {
                            "task_id": 30,
                            "kind": "key_task",
                            "number": "1",
                            "title": "全面加强党的政治建设",
                            "status": "in_progress",
                            "due_on": "2024-12-31",
                            "health": "green",
                            "reasons": [],
                        }
                    ],
                    "unowned_indicators": [
                        {
                            "indicator_id": 31,
                            "code": "WP17-1",
                            "name": "零上访",
                            "task_id": 27,
                            "task_number": "17",
                        }
                    ],
                    "sections": [
                        {
                            "task_id": 11,
                            "number": "一",
                            "title": "坚持党建引领",
                            "health": "amber",
                            "items": {"green": 2, "amber": 1, "red": 0},
                        }
                    ],
                }
            ]
        }
    )

    plan_id: int
    as_of: date
    known_at: datetime = Field(
        description="What the figures knew: the `known_at` asked for, or the moment they were "
        "computed. Pass it back to get the same figures again."
    )
    tasks: TaskSummary = Field(description="Sections are headings and are not counted.")
    indicators: IndicatorSummary
    overdue_milestones: list[OverdueMilestone]
    obligations: ObligationSummary
    key_tasks: list[TaskHealthLine] = Field(
        description="Each key task's health, rolled up with the work points it restates."
    )
    unowned_indicators: list[UnownedIndicator] = Field(
        description="Indicators nobody owes a report for: their task has no lead unit and they "
        "have no `reporter_unit_id`. Give each a reporter (PATCH the indicator) and its "
        "obligations follow."
    )
    sections: list[SectionLine] = Field(
        description="Each section with its items counted by health; its own health is its "
        "worst item's."
    )


class ScorecardTask(TaskHealthLine):
    plan_id: int
    role: str = Field(description="`lead` or `participant`.")
    via_unit_id: int | None = Field(
        description="The group the responsibility is held through (各…); null when held directly."
    )


class ReportingRecord(BaseModel):
    owed: int = Field(description="Reports owed whose due date has passed by `as_of`.")
    on_time: int = Field(description="Of those, first submitted on or before the due date.")
    late: int = Field(description="Submitted, but after the due date.")
    missing: int = Field(description="Not submitted at all (drafts do not count).")
    on_time_rate: float | None = Field(description="on_time / owed; null when nothing was owed.")


class OverdueReport(BaseModel):
    task_id: int
    indicator_id: int
    period: str
    due_on: date


class UnitScorecard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": 7,
                    "as_of": "2024-07-20",
                    "known_at": "2024-07-20T10:00:00Z",
                    "led": [
                        {
                            "task_id": 20,
                            "plan_id": 1,
                            "kind": "work_point",
                            "number": "13",
                            "title": "建设开放新科技馆",
                            "status": "in_progress",
                            "due_on": "2024-12-31",
                            "health": "red",
                            "reasons": ["milestone 5 (新馆全面建成) was due 2024-06-30"],
                            "role": "lead",
                            "via_unit_id": None,
                        }
                    ],
                    "joined": [],
                    "reporting": {
                        "owed": 4,
                        "on_time": 2,
                        "late": 1,
                        "missing": 1,
                        "on_time_rate": 0.5,
                    },
                    "overdue_reports": [
                        {
                            "task_id": 20,
                            "indicator_id": 12,
                            "period": "2024Q2",
                            "due_on": "2024-07-10",
                        }
                    ],
                    "overdue_milestones": [
                        {
                            "milestone_id": 5,
                            "task_id": 20,
                            "task_number": "13",
                            "title": "新馆全面建成",
                            "due_on": "2024-06-30",
                        }
                    ],
                    "reminders": {"received": 3, "answered": 2, "answered_late": 1},
                }
            ]
        }
    )

    unit_id: int
    as_of: date
    known_at: datetime = Field(
        description="What the figures knew: the `known_at` asked for, or the moment they were "
        "computed. Pass it back to get the same figures again."
    )
    led: list[ScorecardTask]
    joined: list[ScorecardTask] = Field(
        description="Tasks it takes part in, directly or through a group it belongs to."
    )
    reporting: ReportingRecord
    overdue_reports: list[OverdueReport]
    overdue_milestones: list[OverdueMilestone] = Field(description="Of the tasks it leads.")
    reminders: ReminderRecord = Field(description="催办次数: reminders received and answered.")
