from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
from app.deps import Session
from app.http import json_response, page_response, problems
from app.pagination import Page
from app.routing import CrudRoutes, TransactionalRoute, as_of_route
from app.tasks import health, progress_updates, service
from app.tasks.progress_updates import (
    ProgressUpdateCreate,
    ProgressUpdateQuery,
    ProgressUpdateRead,
)
from app.tasks.schemas import TaskCreate, TaskHealth, TaskId, TaskQuery, TaskRead, TaskUpdate

router = APIRouter(prefix="/tasks", tags=["tasks"], route_class=TransactionalRoute)
tasks = CrudRoutes(router, TaskRead, id=("task_id", TaskId))

tasks.list(service.list_tasks, TaskQuery, summary="List tasks")
tasks.create(service.create_task, TaskCreate, role=Supervisor, summary="Create a task")
tasks.get(service.get_task, summary="Get a task")
# A reporter may record progress on its own tasks (the service limits it to those fields).
tasks.update(service.update_task, TaskUpdate, role=Reporter, summary="Change a task")
tasks.delete(
    service.delete_task,
    role=Supervisor,
    summary="Delete a task",
    description="Removes its responsibilities and milestones too; refused (409) while "
    "it has subtasks or indicators.",
)


as_of_route(
    router,
    "/{task_id}/health",
    health.task_health,
    id=("task_id", TaskId),
    name="get_task_health",
    response_model=TaskHealth,
    summary="Health of a task at a date",
    description="red when a milestone is overdue, an indicator is behind, or the task is past "
    "due and not completed; amber when an indicator is at risk or a report is overdue; green "
    "otherwise. `reasons` says which.",
)


@router.post(
    "/{task_id}/progress-updates",
    summary="Report progress on a task",
    status_code=201,
    response_model=ProgressUpdateRead,
    responses=problems(400, 403, 404),
    description="A unit's account for a period: done, problems, next steps, and optionally a "
    "percent that becomes the task's progress. Kept as history; never edited. A reporter key "
    "may leave out `unit_id` (its own unit); other keys must give it.",
)
async def create_progress_update(
    session: Session, principal: Reporter, task_id: TaskId, body: ProgressUpdateCreate
) -> Response:
    update = await progress_updates.add_progress_update(
        session, task_id=task_id, data=body, actor=principal
    )
    return json_response(
        ProgressUpdateRead.model_validate(update),
        status_code=201,
        headers={"Location": f"/api/v1/tasks/{task_id}/progress-updates"},
    )


@router.get(
    "/{task_id}/progress-updates",
    summary="A task's progress history, newest first",
    response_model=Page[ProgressUpdateRead],
    responses=problems(404),
)
async def list_progress_updates(
    session: Session,
    _: CurrentPrincipal,
    task_id: TaskId,
    query: Annotated[ProgressUpdateQuery, Query()],
) -> Response:
    rows, cursor = await progress_updates.list_progress_updates(
        session, task_id=task_id, page=query.page()
    )
    return page_response(ProgressUpdateRead, rows, cursor)
