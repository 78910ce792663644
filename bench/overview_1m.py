"""Dashboard, ledger and scorecard over a million reports, against the bare aggregate, in one run.

    python bench/overview_1m.py [--repeat 7] [--as-of 2024-09-30]

A 2024 plan of 30 tasks, 1,000 units (three leads per task, every unit taking part in every
task), 3 monthly indicators per task (sum / latest / max), and one report per indicator, unit and
month: 1,080,000 reports, a few missing so that some are overdue. Uses DATABASE_URL's server if
set, else an embedded one; creates and drops its own database.

Each view is fetched over HTTP from `luoshi serve`; the baseline is the least any answer over
these reports must do — one `GROUP BY indicator_id` over the counted reports, straight through
asyncpg. Prints median milliseconds and the ratio view / baseline.

Then the same views with `known_at`: one percent of the reports (10,800) are changed after a
moment K, each with its audit events, and the views are read as known at K — the reports as
they stood then, rebuilt from the audit trail for the changed ones.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

import asyncpg
import httpx
from common import (
    KEY,
    create_admin_key,
    database_kind,
    free_port,
    scratch_database,
    start_service,
    stop,
)

TASKS, UNITS, INDICATORS_PER_TASK = 30, 1000, 3

SEED = [
    """INSERT INTO plans (code, title, year, status, report_grace_days)
       VALUES ('BENCH', '百万报表基准', 2024, 'active', 10)""",
    """INSERT INTO tasks (plan_id, kind, number, title, status, due_on)
       SELECT (SELECT id FROM plans WHERE code = 'BENCH'), 'work_point', g::text, '工作要点' || g,
              'in_progress', DATE '2024-12-31'
       FROM generate_series(1, {tasks}) g""",
    """INSERT INTO units (code, name, kind)
       SELECT 'BU' || g, '单位' || g, 'society' FROM generate_series(1, {units}) g""",
    # Units 1–90 lead three tasks' worth between them; everyone takes part in everything.
    """INSERT INTO responsibilities (task_id, unit_id, role)
       SELECT t.id, u.id,
              CASE WHEN u.n <= 3 * {tasks} AND u.n % {tasks} = t.n % {tasks}
                   THEN 'lead' ELSE 'participant' END
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tasks) t
       CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM units) u""",
    """INSERT INTO indicators (task_id, plan_id, code, name, comparator, target_value, target_max,
                               aggregation, frequency, unit_label)
       SELECT t.id, t.plan_id, 'T' || t.number || '-' || k, '指标' || k,
              (ARRAY['gte', 'between', 'lte'])[k], (ARRAY[400000, 30000, 90])[k],
              CASE WHEN k = 2 THEN 60000 END, (ARRAY['sum', 'latest', 'max'])[k], 'monthly', '场'
       FROM tasks t CROSS JOIN generate_series(1, {per_task}) k""",
    # Every seventh unit has not reported August: overdue obligations for the leads among them.
    """INSERT INTO indicator_reports (indicator_id, unit_id, period, period_start, period_end,
                                      value, status, first_submitted_at)
       SELECT i.id, u.id, to_char(m.start, 'YYYY-MM'), m.start,
              (m.start + interval '1 month - 1 day')::date, (random() * 100)::int,
              CASE WHEN random() < 0.7 THEN 'approved'
                   WHEN random() < 0.9 THEN 'submitted' ELSE 'returned' END,
              m.start + interval '1 month 5 days'
       FROM indicators i
       CROSS JOIN units u
       CROSS JOIN generate_series(DATE '2024-01-01', DATE '2024-12-01', interval '1 month')
           AS m(start)
       WHERE NOT (u.id % 7 = 0 AND extract(month FROM m.start) = 8)""",
    "ANALYZE",
]

BASELINE = """
    SELECT indicator_id, count(*), sum(value) FROM indicator_reports
    WHERE status IN ('submitted', 'approved') AND period_start <= $1
    GROUP BY indicator_id
"""


async def seed(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        await create_admin_key(conn)
        for sql in SEED:
            await conn.execute(
                sql.format(tasks=TASKS, units=UNITS, per_task=INDICATORS_PER_TASK), timeout=600
            )
        return {
            "plan": await conn.fetchval("SELECT id FROM plans WHERE code = 'BENCH'"),
            "lead": await conn.fetchval(
                "SELECT min(unit_id) FROM responsibilities WHERE role = 'lead'"
            ),
            "indicator": await conn.fetchval("SELECT min(id) FROM indicators"),
            "reports": await conn.fetchval("SELECT count(*) FROM indicator_reports"),
        }
    finally:
        await conn.close()


# One report in a hundred gets its creation event, then — after the moment K — a new value,
# as an API write would leave them.
HISTORY = """
    INSERT INTO audit_events (actor_name, action, entity_type, entity_id, changes)
    SELECT 'bench', 'create', 'indicator_report', r.id, jsonb_build_object(
        'indicator_id', jsonb_build_array(NULL, r.indicator_id),
        'unit_id', jsonb_build_array(NULL, r.unit_id),
        'period', jsonb_build_array(NULL, r.period),
        'period_start', jsonb_build_array(NULL, r.period_start),
        'value', jsonb_build_array(NULL, r.value),
        'status', jsonb_build_array(NULL, r.status))
    FROM indicator_reports r WHERE r.id % 100 = 0
"""
CHANGE = [
    """INSERT INTO audit_events (actor_name, action, entity_type, entity_id, changes)
       SELECT 'bench', 'update', 'indicator_report', r.id,
              jsonb_build_object('value', jsonb_build_array(r.value, r.value + 1))
       FROM indicator_reports r WHERE r.id % 100 = 0""",
    """UPDATE indicator_reports SET value = value + 1, version = version + 1, updated_at = now()
       WHERE id % 100 = 0""",
    "ANALYZE",
]


async def change_after_a_moment(dsn: str) -> str:
    """K, between the reports' creation events and their change: what `known_at` reads at."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(HISTORY)
        await asyncio.sleep(0.1)
        moment = await conn.fetchval(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'
        )
        await asyncio.sleep(0.1)
        for sql in CHANGE:
            await conn.execute(sql, timeout=600)
        return str(moment)
    finally:
        await conn.close()


async def baseline_ms(dsn: str, as_of: date, repeat: int) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.fetch(BASELINE, as_of)  # warm
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            await conn.fetch(BASELINE, as_of)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)
    finally:
        await conn.close()


def view_ms(client: httpx.Client, path: str, params: dict[str, str], repeat: int) -> float:
    client.get(path, params=params).raise_for_status()  # warm, and fail loudly on an error
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path, params=params).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2024, 9, 30))
    args = parser.parse_args()
    with scratch_database() as dsn:
        started = time.perf_counter()
        ids = asyncio.run(seed(dsn))
        print(
            f"seeded {ids['reports']:,} reports, {TASKS} tasks, {UNITS} units in "
            f"{time.perf_counter() - started:.0f}s; database: {database_kind()}; "
            f"as_of {args.as_of}; median of {args.repeat}"
        )
        port = free_port()
        procs = [start_service(dsn, port)]
        try:
            floor = asyncio.run(baseline_ms(dsn, args.as_of, args.repeat))
            plan, as_of = ids["plan"], {"as_of": args.as_of.isoformat()}
            views = [
                ("dashboard", f"/api/v1/plans/{plan}/dashboard", as_of),
                ("ledger xlsx", f"/api/v1/plans/{plan}/ledger", as_of),
                ("ledger csv", f"/api/v1/plans/{plan}/ledger", {**as_of, "format": "csv"}),
                ("scorecard (a lead)", f"/api/v1/units/{ids['lead']}/scorecard", as_of),
                ("plan obligations", f"/api/v1/plans/{plan}/obligations", as_of),
                ("one indicator", f"/api/v1/indicators/{ids['indicator']}/progress", as_of),
            ]
            print(f"{'view':<20} {'ms':>8} {'× baseline':>11}")
            print(f"{'baseline GROUP BY':<20} {floor:>8.0f} {1:>11.2f}")
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=120,
            ) as client:
                for title, path, params in views:
                    ms = view_ms(client, path, params, args.repeat)
                    print(f"{title:<20} {ms:>8.0f} {ms / floor:>11.2f}")
                moment = asyncio.run(change_after_a_moment(dsn))
                print(f"known_at {moment}: 1% of the reports changed since")
                for title, path, params in views:
                    ms = view_ms(client, path, {**params, "known_at": moment}, args.repeat)
                    print(f"{title + ' @K':<20} {ms:>8.0f} {ms / floor:>11.2f}")
        finally:
            stop(procs)


if __name__ == "__main__":
    main()
