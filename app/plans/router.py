from fastapi import APIRouter

from app.auth.deps import Supervisor
from app.plans import service
from app.plans.schemas import PlanCreate, PlanId, PlanQuery, PlanRead, PlanUpdate
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(prefix="/plans", tags=["plans"], route_class=TransactionalRoute)
plans = CrudRoutes(router, PlanRead, id=("plan_id", PlanId))

plans.list(service.list_plans, PlanQuery, summary="List plans")
plans.create(service.create_plan, PlanCreate, role=Supervisor, summary="Create a plan")
plans.get(service.get_plan, summary="Get a plan")
plans.update(service.update_plan, PlanUpdate, role=Supervisor, summary="Change a plan")
plans.delete(
    service.delete_plan,
    role=Supervisor,
    summary="Delete a plan",
    description="Refused (409) while the plan still has tasks or indicators.",
)
