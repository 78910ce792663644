from typing import Annotated, Any

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter
from app.bulk import jobs, parsing, service
from app.bulk.resources import SPECS
from app.bulk.schemas import BulkJobRead, BulkProblem, BulkSummary, Mode, Resource
from app.deps import Session
from app.errors import PROBLEM_MEDIA_TYPE
from app.http import API_PREFIX, json_response, problems
from app.limits import PayloadTooLarge
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/bulk", tags=["bulk"], route_class=TransactionalRoute)
jobs_router = APIRouter(prefix="/bulk-jobs", tags=["bulk-jobs"], route_class=TransactionalRoute)

_NDJSON_EXAMPLE = (
    '{"plan": "HNAST-2024", "indicator": "WP13-1", "unit": "HNAST-KJG", "period": "2024Q1", '
    '"value": 41.2}\n'
    '{"plan": "HNAST-2024", "indicator": "WP13-1", "unit": "HNAST-KJG", "period": "2024Q2", '
    '"value": 58.5, "note": "二季度"}\n'
)
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The rows, in the format the `Content-Type` names. CSV is UTF-8 (with or "
        "without BOM) or GB18030 (`charset=gb18030`, or detected); `.xlsx` is read from its "
        "first sheet. A CSV or sheet has a header row naming the columns.",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"type": "object"}},
                "example": [
                    {
                        "plan": "HNAST-2024",
                        "indicator": "WP13-1",
                        "unit": "HNAST-KJG",
                        "period": "2024Q2",
                        "value": 58.5,
                        "note": "二季度接待公众58.5万人次",
                    }
                ],
            },
            parsing.NDJSON: {"schema": {"type": "string"}, "example": _NDJSON_EXAMPLE},
            parsing.CSV: {
                "schema": {"type": "string"},
                "example": SPECS["indicator-reports"].example_csv,
            },
            parsing.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

_COLUMNS = "\n".join(
    f"- `{spec.resource}`: "
    + ", ".join(f"`{f.name}`" + ("*" if f.key else "") for f in spec.fields)
    for spec in SPECS.values()
)

_422 = {
    "model": BulkProblem,
    "description": "Unknown or missing columns, or (with `atomic=true`) invalid rows: "
    "`errors` names each one (`row`, `field`, `code`, `message`). Nothing was written.",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/BulkProblem"}}},
}


@router.post(
    "/{resource}",
    summary="Upload many records of one resource",
    response_model=BulkSummary,
    openapi_extra=_BODY,
    responses={
        202: {
            "model": BulkJobRead,
            "description": "`async=true`: queued; follow `Location` for status and summary.",
        },
        **problems(400, 403, 413, 415),
        422: _422,
    },
    description="Creates and updates records named by their natural keys: units by `code`, "
    "tasks by `plan` + `kind` + `number`, indicators by `plan` + `code`, reports by `plan` + "
    "`indicator` + `unit` + `period`; a task is named by `plan` + `task` (its number, with "
    "`task_kind` when numbers repeat) or by `task_id`. The columns (* = part of the key):\n\n"
    f"{_COLUMNS}\n\n"
    "`mode=upsert` creates or updates; `create` refuses existing records, `update` missing "
    "ones. A row equal to the stored record is `unchanged`, so a replay changes nothing. "
    "An empty cell keeps a required value and clears an optional one. With `atomic=true` any "
    "bad row refuses the whole upload (422); with `atomic=false` the good rows are written "
    "and the bad ones listed. `dry_run=true` checks and counts, writing nothing. Reporter keys "
    "may upload only indicator reports of their own unit, for tasks their unit is responsible "
    "for. Every written record leaves its audit event. `async=true` queues the upload as a "
    "job (202 + `Location: /api/v1/bulk-jobs/{id}`) that any replica runs.",
)
async def upload_records(
    request: Request,
    session: Session,
    principal: Reporter,
    resource: Annotated[Resource, Path(description="What the rows are.")],
    mode: Annotated[Mode, Query(description="`upsert`, `create` or `update`.")] = "upsert",
    atomic: Annotated[bool, Query(description="All rows or none.")] = True,
    dry_run: Annotated[bool, Query(description="Check and count; write nothing.")] = False,
    run_async: Annotated[
        bool, Query(alias="async", description="Queue as a background job; answer 202 at once.")
    ] = False,
) -> Response:
    settings = request.app.state.settings
    limit = settings.bulk_max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"a bulk upload may be at most {limit} bytes")
    content_type = request.headers.get("content-type", "")
    service.read_format(content_type)  # 415 before reading the body
    data = await request.body()
    if len(data) > limit:
        raise PayloadTooLarge(f"a bulk upload may be at most {limit} bytes")
    options = service.Options(mode=mode, atomic=atomic, dry_run=dry_run)
    if run_async:
        job = await jobs.enqueue(
            session,
            resource=resource,
            options=options,
            content_type=content_type,
            data=data,
            actor=principal,
            request_id=correlation_id.get(),
        )
        return json_response(
            BulkJobRead.model_validate(job),
            status_code=202,
            headers={"Location": f"{API_PREFIX}/bulk-jobs/{job.id}"},
        )
    outcome = await service.upload(
        session,
        spec=SPECS[resource],
        data=data,
        content_type=content_type,
        options=options,
        actor=principal,
        max_rows=settings.bulk_max_rows,
    )
    return json_response(BulkSummary.model_validate(service.summary(resource, options, outcome)))


@jobs_router.get(
    "/{job_id}",
    summary="Get a bulk job: status, progress and summary",
    response_model=BulkJobRead,
    responses=problems(404),
    description="Visible to the key that sent the upload, and to admins and supervisors.",
)
async def get_bulk_job(
    session: Session,
    principal: CurrentPrincipal,
    job_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Bulk job id.")],
) -> Response:
    job = await jobs.get_job(session, job_id=job_id, actor=principal)
    return json_response(BulkJobRead.model_validate(job))
