from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import Session
from app.errors import AppError, InvalidInput
from app.http import created_response, item_response, json_response, page_response, problems
from app.imports import service
from app.imports.document import Document, NoticeReadError
from app.imports.readers import read_notice
from app.imports.schemas import ImportPreview, PlanImportDetail, PlanImportQuery, PlanImportRead
from app.limits import PayloadTooLarge
from app.pagination import Page
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/plan-imports", tags=["plan-imports"], route_class=TransactionalRoute)
ImportId = Annotated[int, Path(ge=1, le=MAX_ID, description="Import id.")]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_NOTICE_BYTES = 20 * 1024 * 1024
_FILE_TYPES = {"text/plain", "text/csv", DOCX, XLSX, "application/pdf", "application/octet-stream"}


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class UnreadableNotice(AppError):
    status, code, title = 422, "unreadable_file", "The file could not be read"


def _read(data: bytes, filename: str | None, media_type: str | None) -> Document:
    try:
        return read_notice(data, filename=filename, media_type=media_type)
    except NoticeReadError as exc:
        if exc.code == "unsupported_format":
            raise UnsupportedMediaType(exc.message) from exc
        if exc.code == "too_large":
            raise PayloadTooLarge(exc.message) from exc
        error = UnreadableNotice(exc.message, errors=[{"detail": exc.message}])
        error.code = exc.code  # unreadable_file | no_text_layer
        raise error from exc


def _structure(body: bytes) -> ImportPreview:
    try:
        return ImportPreview.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc


async def _notice(request: Request) -> tuple[Document | ImportPreview, str | None]:
    """The notice as read from the body, or a reviewed structure sent back as JSON."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if int(request.headers.get("content-length") or 0) > MAX_NOTICE_BYTES:
        raise PayloadTooLarge(f"a notice may be at most {MAX_NOTICE_BYTES // 2**20} MiB")
    if media_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "upload the notice in a form field named `file`",
                errors=[{"pointer": "#/file", "detail": "missing"}],
            )
        data = await upload.read(MAX_NOTICE_BYTES + 1)
        if len(data) > MAX_NOTICE_BYTES:
            raise PayloadTooLarge(f"a notice may be at most {MAX_NOTICE_BYTES // 2**20} MiB")
        name = (upload.filename or "")[:255] or None
        upload_type = upload.headers.get("content-type") or upload.content_type
        return await run_in_threadpool(_read, data, name, upload_type), name
    body = await request.body()
    if len(body) > MAX_NOTICE_BYTES:
        raise PayloadTooLarge(f"a notice may be at most {MAX_NOTICE_BYTES // 2**20} MiB")
    if media_type == "application/json":
        return await run_in_threadpool(_structure, body), None
    if media_type in _FILE_TYPES:
        return await run_in_threadpool(_read, body, None, content_type), None
    raise UnsupportedMediaType(
        "send the notice as text/plain, text/csv, a .docx, .xlsx or .pdf body, "
        "multipart/form-data `file`, or a reviewed structure as application/json"
    )


_SEED_EXCERPT = (
    "豫科协办发〔2024〕9号\n\n河南省科协 2024 年重点工作\n\n"
    "1. 筹备召开河南省科协第十次代表大会。（责任部门：办公室、组织人事部，机关各部室）\n"
)
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The notice — text (UTF-8 or GB18030; say `charset=gb18030`), CSV, "
        "Word, Excel or PDF with a text layer, as the body or a form upload — or a reviewed "
        "structure: the dry run's answer, corrected, as JSON.",
        "content": {
            "text/plain": {"schema": {"type": "string"}, "example": _SEED_EXCERPT},
            "text/csv": {"schema": {"type": "string"}},
            DOCX: _BINARY,
            XLSX: _BINARY,
            "application/pdf": _BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/ImportPreview"}},
        },
    }
}


@router.post(
    "",
    summary="Import a work-plan notice",
    status_code=201,
    response_model=PlanImportRead,
    openapi_extra=_BODY,
    responses={
        200: {"model": ImportPreview, "description": "`dry_run=true`: what would be created."},
        **problems(400, 409, 413, 415),
    },
    description="Reads the notice into a plan: sections, key tasks and work points (numbered "
    "text or the rows of a task-division table), responsible units (matched by name or "
    "created), indicators, milestones and links. One transaction. `dry_run=true` returns the "
    "structure with a warning on every guess and stores nothing; POST that structure back, "
    "corrected, as `application/json` to import exactly it. A notice already imported (same "
    "document number, or same title and year) is refused with 409; its dry run says which "
    "plan it is. A scanned PDF without text, or a damaged file, is a 422 that says so.",
)
async def create_plan_import(
    request: Request,
    session: Session,
    _: Supervisor,
    dry_run: Annotated[bool, Query(description="Parse and show; store nothing.")] = False,
    year: Annotated[
        int | None,
        Query(ge=1949, le=2200, description="The plan's year, when the notice does not say it."),
    ] = None,
) -> Response:
    notice, filename = await _notice(request)
    if isinstance(notice, ImportPreview):
        structure = notice if year is None else notice.model_copy(update={"year": year})
    else:
        structure = await run_in_threadpool(service.parse, notice, year=year)
    if dry_run:
        return json_response(await service.preview(session, structure=structure))
    record = await service.store(session, structure=structure, filename=filename)
    return created_response(PlanImportRead, record, collection="plan-imports")


@router.get(
    "", summary="List notice imports", response_model=Page[PlanImportRead], responses=problems()
)
async def list_plan_imports(
    session: Session, _: CurrentPrincipal, query: Annotated[PlanImportQuery, Query()]
) -> Response:
    rows, cursor = await service.list_imports(session, query=query, page=query.page())
    return page_response(PlanImportRead, rows, cursor)


@router.get(
    "/{import_id}",
    summary="Get a notice import with its source text",
    response_model=PlanImportDetail,
    responses=problems(404),
)
async def get_plan_import(session: Session, _: CurrentPrincipal, import_id: ImportId) -> Response:
    return item_response(PlanImportDetail, await service.get_import(session, import_id=import_id))
