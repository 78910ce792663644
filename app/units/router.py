from fastapi import APIRouter

from app.auth.deps import Supervisor
from app.routing import CrudRoutes, TransactionalRoute
from app.units import service
from app.units.schemas import UnitCreate, UnitId, UnitQuery, UnitRead, UnitUpdate

router = APIRouter(prefix="/units", tags=["units"], route_class=TransactionalRoute)
units = CrudRoutes(router, UnitRead, id=("unit_id", UnitId))

units.list(service.list_units, UnitQuery, summary="List units")
units.create(service.create_unit, UnitCreate, role=Supervisor, summary="Create a unit")
units.get(service.get_unit, summary="Get a unit")
units.update(service.update_unit, UnitUpdate, role=Supervisor, summary="Change a unit")
units.delete(
    service.delete_unit,
    role=Supervisor,
    summary="Delete a unit",
    description="Refused (409) while responsibilities, reports, member units or keys use it.",
)
