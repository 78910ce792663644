from fastapi import APIRouter

from app.auth.deps import Reporter, Supervisor
from app.milestones import service
from app.milestones.schemas import (
    MilestoneCreate,
    MilestoneId,
    MilestoneQuery,
    MilestoneRead,
    MilestoneUpdate,
)
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(prefix="/milestones", tags=["milestones"], route_class=TransactionalRoute)
milestones = CrudRoutes(router, MilestoneRead, id=("milestone_id", MilestoneId))

milestones.list(service.list_milestones, MilestoneQuery, summary="List milestones")
milestones.create(
    service.create_milestone, MilestoneCreate, role=Supervisor, summary="Create a milestone"
)
milestones.get(service.get_milestone, summary="Get a milestone")
# A reporter may record its own task's milestones as done (the service limits it to those).
milestones.update(
    service.update_milestone, MilestoneUpdate, role=Reporter, summary="Change a milestone"
)
milestones.delete(service.delete_milestone, role=Supervisor, summary="Delete a milestone")
