"""How long parsing the seed notice takes, against reading it (the floor) in the same run.

python bench/parse_seed.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.imports.parser import parse_notice  # noqa: E402

SEED = ROOT / "tests" / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    raw = SEED.read_bytes()
    parse_times, decode_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        text = raw.decode("utf-8")
        decode_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        plan = parse_notice(text)
        parse_times.append(time.perf_counter() - start)
    print(f"seed: {len(text)} characters, {len(plan.tasks)} tasks")
    for label, times in (("decode", decode_times), ("parse", parse_times)):
        print(
            f"{label:<7} median {statistics.median(times) * 1e3:7.2f} ms   "
            f"min {min(times) * 1e3:7.2f} ms"
        )


if __name__ == "__main__":
    main()
