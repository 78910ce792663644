"""The resources that can be uploaded in bulk: each domain's spec, by resource name.

The specs live with their domains (``app/<domain>/bulk.py``), beside the rules they apply.
"""

from __future__ import annotations

from app.bulk.spec import Spec
from app.indicators import bulk as indicator_bulk
from app.milestones import bulk as milestone_bulk
from app.reports import bulk as report_bulk
from app.responsibilities import bulk as responsibility_bulk
from app.tasks import bulk as task_bulk
from app.units import bulk as unit_bulk

SPECS: dict[str, Spec] = {
    spec.resource: spec
    for spec in (
        unit_bulk.SPEC,
        task_bulk.SPEC,
        responsibility_bulk.SPEC,
        milestone_bulk.SPEC,
        indicator_bulk.SPEC,
        report_bulk.SPEC,
    )
}
