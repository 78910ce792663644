"""How well the importer reads real notices: precision, recall and F1 against hand-read answers.

    python bench/import_corpus.py [--corpus tests/imports/corpus] [--verbose]

Each notice in the corpus has ``<slug>.expected.json``, written by a person reading the notice
(see tests/imports/corpus/FORMAT.md). The notice file goes through the same reader and parser
as an upload. Scores, per notice and over all notices (micro-averaged):

- items:        numbered entries found, matched in order by number and the start of their text;
- lead units:   (item, unit name) pairs with the lead role;
- participants: (item, unit name) pairs with the participant role;
- targets:      (item, comparator, value, upper bound) of every quantitative target.

A unit or target of an item the parser did not find counts as missed, and one of an item the
parser invented counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.imports.document import NoticeReadError
from app.imports.parser import NoticeParseError, ParsedPlan, ParsedTask, parse_document
from app.imports.readers import read_notice

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "imports" / "corpus"
MEASURES = ("items", "leads", "participants", "targets")
_NOT_TEXT = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    def add(self, expected: set[object], found: set[object]) -> None:
        self.true_pos += len(expected & found)
        self.false_pos += len(found - expected)
        self.false_neg += len(expected - found)

    def merge(self, other: Score) -> None:
        self.true_pos += other.true_pos
        self.false_pos += other.false_pos
        self.false_neg += other.false_neg

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_pos + self.false_neg
        return self.true_pos / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Result:
    slug: str
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in MEASURES})
    error: str | None = None
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    year_given: bool = False  # the notice has no year: parsed again with `year` as a user would


def _text_key(text: str) -> str:
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))[:8]


def _number_key(number: str) -> str:
    number = unicodedata.normalize("NFKC", number).strip()
    return number.removeprefix("第").removesuffix("条")


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _value_key(value: object) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def _same_start(a: str, b: str) -> bool:
    size = min(len(a), len(b))
    return a[:size] == b[:size] and (size >= 4 or a == b)


def match_items(expected: list[dict[str, object]], tasks: Iterable[ParsedTask]) -> dict[int, int]:
    """Expected item index -> parsed task index: same number, same start of text, in order."""
    tasks = list(tasks)
    matched: dict[int, int] = {}
    position = 0
    for index, item in enumerate(expected):
        key, number = _text_key(str(item["text"])), _number_key(str(item.get("number", "")))
        for candidate in range(position, len(tasks)):
            task = tasks[candidate]
            same_number = not number or _number_key(task.number) == number
            if same_number and _same_start(key, _text_key(task.description or task.title)):
                matched[index] = candidate
                position = candidate + 1
                break
    return matched


def score_notice(expected: dict[str, object], plan: ParsedPlan, result: Result) -> None:
    items: list[dict[str, object]] = expected["items"]  # type: ignore[assignment]
    tasks = list(plan.tasks)
    matched = match_items(items, tasks)
    result.scores["items"].add(set(matched), set(matched))
    result.scores["items"].false_neg += len(items) - len(matched)
    result.scores["items"].false_pos += len(tasks) - len(matched)
    slot = {task_index: item_index for item_index, task_index in matched.items()}

    def where(task_index: int) -> object:
        return slot.get(task_index, f"extra-{task_index}")

    for role, measure in (("lead", "leads"), ("participant", "participants")):
        want = {(i, _name_key(n)) for i, item in enumerate(items) for n in item[measure]}  # type: ignore[attr-defined]
        got = {
            (where(t), _name_key(u.name))
            for t, task in enumerate(tasks)
            for u in task.units
            if u.role == role
        }
        result.scores[measure].add(want, got)
        result.misses += [f"  {measure} missed: {items[i]['number']} {n}" for i, n in want - got]
        result.misses += [f"  {measure} wrong:  {w} {n}" for w, n in got - want]
    want_targets = {
        (i, t["comparator"], _value_key(t["value"]), _value_key(t.get("max")))
        for i, item in enumerate(items)
        for t in item["targets"]  # type: ignore[attr-defined]
    }
    got_targets = {
        (where(t), i.comparator, _value_key(i.target_value), _value_key(i.target_max))
        for t, task in enumerate(tasks)
        for i in task.indicators
    }
    result.scores["targets"].add(want_targets, got_targets)
    result.misses += [
        f"  target missed: {items[t[0]]['number']} {t[1:]}" for t in want_targets - got_targets
    ]  # type: ignore[index]
    result.misses += [f"  target wrong:  {t}" for t in got_targets - want_targets]
    result.misses += [
        f"  item missed: {item['number']} {item['text']}"
        for i, item in enumerate(items)
        if i not in matched
    ]
    result.misses += [
        f"  item extra:  {task.number} {task.title[:30]}"
        for t, task in enumerate(tasks)
        if t not in slot
    ]


def run_notice(path: Path, expected: dict[str, object]) -> Result:
    result = Result(path.name)
    started = time.perf_counter()
    try:
        document = read_notice(path.read_bytes(), filename=path.name)
        try:
            plan = parse_document(document)
        except NoticeParseError as exc:
            if not any("year" in problem for problem in exc.problems):
                raise
            # What the 422 tells the office to do: say which year the plan is for.
            plan = parse_document(document, year=int(expected["year"]))  # type: ignore[call-overload]
            result.year_given = True
    except (NoticeReadError, NoticeParseError) as exc:
        result.error = str(exc)
        for measure in MEASURES:
            result.scores[measure].false_neg = sum(
                1 if measure == "items" else len(item[measure])  # type: ignore[arg-type]
                for item in expected["items"]  # type: ignore[attr-defined]
            )
        return result
    result.seconds = time.perf_counter() - started
    score_notice(expected, plan, result)
    return result


def notices(corpus: Path) -> list[tuple[Path, dict[str, object]]]:
    found = []
    for answer in sorted(corpus.glob("*.expected.json")):
        slug = answer.name.removesuffix(".expected.json")
        files = [p for p in corpus.glob(slug + ".*") if p != answer and p.suffix != ".md"]
        if len(files) != 1:
            raise SystemExit(f"{slug}: expected one notice file beside its answers, found {files}")
        found.append((files[0], json.loads(answer.read_text("utf-8"))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--prefix", default="", help="only notices whose name starts so")
    args = parser.parse_args()
    total = {m: Score() for m in MEASURES}
    header = f"{'notice':42} " + " ".join(f"{m:>18}" for m in MEASURES) + "      ms"
    print(header)
    print(f"{'':42} " + " ".join(f"{'P    R    F1':>18}" for _ in MEASURES))
    for path, expected in notices(args.corpus):
        if not path.name.startswith(args.prefix):
            continue
        result = run_notice(path, expected)
        for measure in MEASURES:
            total[measure].merge(result.scores[measure])
        cells = " ".join(
            f"{s.precision:4.2f} {s.recall:4.2f} {s.f1:4.2f}".rjust(18)
            for s in result.scores.values()
        )
        print(f"{path.name[:42]:42} {cells} {result.seconds * 1000:7.1f}")
        if result.error:
            print(f"  refused: {result.error}")
        if result.year_given:
            print("  (no year in the notice: parsed again with year given, as the 422 asks)")
        if args.verbose:
            print("\n".join(result.misses))
    cells = " ".join(
        f"{s.precision:4.2f} {s.recall:4.2f} {s.f1:4.2f}".rjust(18) for s in total.values()
    )
    print(f"{'ALL (micro)':42} {cells}")


if __name__ == "__main__":
    main()
