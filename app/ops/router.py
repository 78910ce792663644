"""Probes for operators: liveness and readiness (metrics are mounted in ``app.main``)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from app.errors import problem_response
from app.http import json_response

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", summary="Process is up", response_model=Health)
async def get_healthz() -> Response:
    return json_response(Health(status="ok"))


@router.get(
    "/readyz",
    summary="Database is reachable",
    response_model=Health,
    responses={503: {"description": "The database does not answer."}},
)
async def get_readyz(request: Request) -> Response:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return problem_response(503, "not_ready", "Not ready", "the database does not answer")
    return json_response(Health(status="ok"))
