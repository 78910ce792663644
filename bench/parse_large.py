"""How long a 200-item notice takes to read and parse, as text, Word table and Excel sheet.

    python bench/parse_large.py [--items 200] [--repeat 10]

The text notice repeats the seed's work points (with their responsibility clauses and
targets) under numbered sections until it has ``--items`` items; the .docx and .xlsx hold the
same items as a task-division table (序号｜重点任务｜牵头单位｜责任单位｜完成时限). For each
form the bench prints reading alone (bytes to blocks, the floor) and reading plus parsing.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import openpyxl  # noqa: E402

from app.imports.parser import parse_document  # noqa: E402
from app.imports.readers import read_notice  # noqa: E402

SEED = ROOT / "tests" / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"
CN = "一二三四五六七八九十"
HEADER = ("序号", "重点任务", "牵头单位", "责任单位", "完成时限")


def seed_points() -> list[str]:
    text = SEED.read_text("utf-8")
    body = text[text.index("一、") :]
    return [m.group(1) for m in re.finditer(r"(?m)^\d{1,2}\. (.+)$", body)]


def text_notice(items: int) -> bytes:
    points = seed_points()
    lines = ["关于印发某省2024年工作要点的通知", "某省2024年工作要点"]
    for n in range(items):
        if n % 20 == 0:
            section = n // 20
            lines.append(
                f"{CN[section % 10] if section < 10 else '十' + CN[section % 10]}、第{section + 1}方面工作"
            )
        lines.append(f"{n + 1}. {points[n % len(points)]}")
    return "\n".join(lines).encode()


def rows(items: int) -> list[tuple[str, ...]]:
    points = [re.sub(r"（责任部门：.*?）", "", p) for p in seed_points()]
    return [
        (str(n + 1), points[n % len(points)], "办公室", "组织人事部、各省辖市科协", "2024年9月底前")
        for n in range(items)
    ]


def docx_notice(items: int) -> bytes:
    document = docx.Document()
    document.add_paragraph("某省2024年重点任务分工方案")
    table = document.add_table(rows=0, cols=len(HEADER))
    for values in (HEADER, *rows(items)):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_notice(items: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["某省2024年重点任务分工方案"])
    for values in (HEADER, *rows(items)):
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    forms = {
        "notice.txt": text_notice(args.items),
        "notice.docx": docx_notice(args.items),
        "notice.xlsx": xlsx_notice(args.items),
    }
    print(f"{args.items} items; median (min) of {args.repeat} runs")
    for name, data in forms.items():
        read_median, read_min, _ = timed(
            lambda data=data, name=name: read_notice(data, filename=name), args.repeat
        )
        both_median, both_min, plan = timed(
            lambda data=data, name=name: parse_document(read_notice(data, filename=name)),
            args.repeat,
        )
        tasks = [t for t in plan.tasks if t.kind in ("work_point", "key_task")]  # type: ignore[attr-defined]
        print(
            f"{name:<12} {len(data) / 1024:7.1f} KiB  items {len(tasks):4}   "
            f"read {read_median * 1e3:7.1f} ms ({read_min * 1e3:.1f})   "
            f"read+parse {both_median * 1e3:7.1f} ms ({both_min * 1e3:.1f})"
        )


if __name__ == "__main__":
    main()
