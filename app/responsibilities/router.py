from fastapi import APIRouter

from app.auth.deps import Supervisor
from app.responsibilities import service
from app.responsibilities.schemas import (
    ResponsibilityCreate,
    ResponsibilityId,
    ResponsibilityQuery,
    ResponsibilityRead,
    ResponsibilityUpdate,
)
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(
    prefix="/responsibilities", tags=["responsibilities"], route_class=TransactionalRoute
)
responsibilities = CrudRoutes(
    router, ResponsibilityRead, id=("responsibility_id", ResponsibilityId)
)

responsibilities.list(
    service.list_responsibilities, ResponsibilityQuery, summary="List responsibilities"
)
responsibilities.create(
    service.create_responsibility,
    ResponsibilityCreate,
    role=Supervisor,
    summary="Create a responsibility",
)
responsibilities.get(service.get_responsibility, summary="Get a responsibility")
responsibilities.update(
    service.update_responsibility,
    ResponsibilityUpdate,
    role=Supervisor,
    summary="Change a responsibility",
)
responsibilities.delete(
    service.delete_responsibility, role=Supervisor, summary="Delete a responsibility"
)
