from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app import clock
from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
from app.deps import IfMatch, Session
from app.http import (
    created_response,
    item_response,
    json_response,
    no_content,
    page_response,
    problems,
)
from app.pagination import Page
from app.reports.known import AsOfParam, KnownAtParam
from app.routing import TransactionalRoute
from app.tasks import health, progress_updates, service
from app.tasks.progress_updates import (
    ProgressUpdateCreate,
    ProgressUpdateQuery,
    ProgressUpdateRead,
)
from app.tasks.schemas import TaskCreate, TaskHealth, TaskQuery, TaskRead, TaskUpdate
from app.types import MAX_ID

router = APIRouter(prefix="/tasks", tags=["tasks"], route_class=TransactionalRoute)
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="Task id.")]


@router.get("", summary="List tasks", response_model=Page[TaskRead], responses=problems())
async def list_tasks(
    session: Session, _: CurrentPrincipal, query: Annotated[TaskQuery, Query()]
) -> Response:
    rows, cursor = await service.list_tasks(session, query=query, page=query.page())
    return page_response(TaskRead, rows, cursor)


@router.post(
    "",
    summary="Create a task",
    status_code=201,
    response_model=TaskRead,
    responses=problems(400, 409),
)
async def create_task(session: Session, _: Supervisor, body: TaskCreate) -> Response:
    task = await service.create_task(session, data=body)
    return created_response(TaskRead, task, collection="tasks")


@router.get("/{task_id}", summary="Get a task", response_model=TaskRead, responses=problems(404))
async def get_task(session: Session, _: CurrentPrincipal, task_id: TaskId) -> Response:
    return item_response(TaskRead, await service.get_task(session, task_id=task_id))


@router.patch(
    "/{task_id}",
    summary="Change a task",
    response_model=TaskRead,
    responses=problems(400, 404, 409, 412),
)
async def update_task(
    session: Session,
    principal: Reporter,
    task_id: TaskId,
    body: TaskUpdate,
    if_match: IfMatch = None,
) -> Response:
    task = await service.update_task(
        session, task_id=task_id, data=body, if_match=if_match, actor=principal
    )
    return item_response(TaskRead, task)


@router.delete(
    "/{task_id}",
    summary="Delete a task",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
    description="Removes its responsibilities and milestones too; refused (409) while "
    "it has subtasks or indicators.",
)
async def delete_task(
    session: Session, _: Supervisor, task_id: TaskId, if_match: IfMatch = None
) -> Response:
    await service.delete_task(session, task_id=task_id, if_match=if_match)
    return no_content()


@router.get(
    "/{task_id}/health",
    summary="Health of a task at a date",
    response_model=TaskHealth,
    responses=problems(404),
    description="red when a milestone is overdue, an indicator is behind, or the task is past "
    "due and not completed; amber when an indicator is at risk or a report is overdue; green "
    "otherwise. `reasons` says which.",
)
async def get_task_health(
    session: Session,
    _: CurrentPrincipal,
    task_id: TaskId,
    as_of: AsOfParam = None,
    known_at: KnownAtParam = None,
) -> Response:
    day = as_of or clock.today()
    return json_response(
        await health.task_health(session, task_id=task_id, as_of=day, known_at=known_at)
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
