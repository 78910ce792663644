from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import Session
from app.errors import AppError, InvalidInput
from app.http import created_response, item_response, json_response, page_response, problems
from app.imports import service
from app.imports.docx_text import extract_docx_text
from app.imports.parser import NoticeParseError
from app.imports.schemas import ImportPreview, PlanImportDetail, PlanImportQuery, PlanImportRead
from app.limits import PayloadTooLarge
from app.pagination import Page
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/plan-imports", tags=["plan-imports"], route_class=TransactionalRoute)
ImportId = Annotated[int, Path(ge=1, le=MAX_ID, description="Import id.")]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_NOTICE_BYTES = 20 * 1024 * 1024
_ENCODINGS = {"utf-8", "utf8", "gb18030", "gbk", "gb2312"}


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


def _decode(data: bytes, charset: str) -> str:
    charset = charset.lower() or "utf-8"
    if charset not in _ENCODINGS:
        raise UnsupportedMediaType(f"charset {charset} is not supported; send UTF-8 or GB18030")
    try:
        text = data.decode("gb18030" if charset.startswith("gb") else "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the notice is not valid {charset.upper()} text (byte {exc.start}); "
            "save it as UTF-8 or say `charset=gb18030`"
        ) from exc
    return text


def _docx(data: bytes) -> str:
    try:
        return extract_docx_text(data)
    except NoticeParseError as exc:
        raise InvalidInput("; ".join(exc.problems) or "not a readable .docx file") from exc


async def _notice_text(request: Request) -> tuple[str, str | None]:
    """The notice as text, from a text/plain or .docx body or a multipart upload."""
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    charset = ""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset":
            charset = value.strip('"')
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
        name = upload.filename or ""
        if name.lower().endswith(".docx") or upload.content_type == DOCX:
            return _docx(data), name[:255] or None
        if name.lower().endswith(".txt") or (upload.content_type or "").startswith("text/"):
            return _decode(data, charset or "utf-8"), name[:255] or None
        raise UnsupportedMediaType("upload a .txt or .docx file")
    body = await request.body()
    if len(body) > MAX_NOTICE_BYTES:
        raise PayloadTooLarge(f"a notice may be at most {MAX_NOTICE_BYTES // 2**20} MiB")
    if media_type == "text/plain":
        return _decode(body, charset or "utf-8"), None
    if media_type == DOCX:
        return _docx(body), None
    raise UnsupportedMediaType(
        "send the notice as text/plain (UTF-8), a .docx body, or multipart/form-data `file`"
    )


_SEED_EXCERPT = (
    "豫科协办发〔2024〕9号\n\n河南省科协 2024 年重点工作\n\n"
    "1. 筹备召开河南省科协第十次代表大会。（责任部门：办公室、组织人事部，机关各部室）\n"
)
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The notice: plain text, a Word file, or a form upload of either.",
        "content": {
            "text/plain": {"schema": {"type": "string"}, "example": _SEED_EXCERPT},
            DOCX: {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
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
    description="Parses the notice into a plan: sections, key tasks and work points, "
    "responsible units (matched by name or created), indicators, milestones and links. "
    "One transaction. A notice already imported (same document number, or same title and "
    "year) is refused with 409.",
)
async def create_plan_import(
    request: Request,
    session: Session,
    _: Supervisor,
    dry_run: Annotated[bool, Query(description="Parse and show; store nothing.")] = False,
) -> Response:
    text, filename = await _notice_text(request)
    if dry_run:
        return json_response(await service.preview_notice(session, text=text))
    record = await service.store_notice(session, text=text, filename=filename)
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
