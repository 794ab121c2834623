"""Speaker notes: what a lecturer needs to present one idea of a scene, its narration, how long
its clip plays, and the numbers behind it (the facts it names, formatted for reading)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scenes.framework.numbers import readable
from scenes.framework.scene import Beat, Idea
from scenes.production.facts import jsonable

LONG_LIST = 6  # a list of numbers longer than this is read as its count and its ends
LABELS = ("name", "optimizer", "key")  # a table's own name, read first ("SGD: final loss ...")


def idea_notes(scene: str, idea: Idea, beats: Sequence[Beat], facts: dict[str, Any]) -> str:
    """The notes of ``idea``'s slide: its narration, one paragraph a beat, the clip's length,
    then each named fact's value. A fact the scene did not record is an error naming it."""
    missing = [k for k in idea.facts if k not in facts]
    if missing:
        raise KeyError(f"{scene}: the idea {idea.title!r} names facts the scene does not "
                       f"record: {', '.join(missing)} (recorded: {', '.join(facts)})")
    seconds = beats[-1].end - beats[0].start
    parts = [b.caption for b in beats]
    parts.append(f"The clip plays {len(beats)} beat{'s' if len(beats) > 1 else ''} in "
                 f"{seconds:.1f} s.")
    if idea.facts:
        values = {k: jsonable(facts[k]) for k in idea.facts}
        index = next((k for k in values if k in INDEXES and isinstance(values[k], list)), "")
        tables = {k: v for k, v in values.items()
                  if index and k != index and aligned(v, values[index])}
        numbers = []
        for k, v in values.items():
            if k in tables:
                if k == next(iter(tables)):  # all of them, one rate a line, in its place
                    numbers.append(by_index(tables, values[index], INDEXES[index]))
                continue
            text = reading(v, 1)
            numbers.append(f"- {words(k)}:" + (text if text.startswith("\n") else " " + text))
        parts.append("The numbers behind it:\n" + "\n".join(numbers))
    return "\n\n".join(parts)


# A list fact that other facts of an idea are measured along, and how its values are said: the
# learning rates of a sweep ("α 10⁻³: SGD 3.5 · Adam 0.02", not 25 unlabelled numbers).
INDEXES = {"rates": "α", "scale_rates": "α"}


def aligned(value: Any, index: list) -> bool:
    """A table whose every entry is a list as long as ``index`` (one value per rate)."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(v, list) and len(v) == len(index) for v in value.values()))


def by_index(tables: dict[str, dict[str, list]], index: list, symbol: str) -> str:
    """Tables of series measured along ``index``, read one index value a line: every value of
    the first, then of each other only those that are not 0 (a sweep's diverged shares are
    mostly 0): ``α 10⁻³: sgd 3.5 · adam 0.02; diverged share sgd 0.5``."""
    first, *rest = tables
    gaps = any(v is None for series in tables[first].values() for v in series)
    head = (f"- {words(first)}" + "".join(f"; {words(k)} where not 0" for k in rest)
            + f", by {symbol}" + (" (—: not a finite number)" if gaps else "") + ":")
    lines = []
    for i, x in enumerate(index):
        line = f"{symbol} {cell(x)}: " + " · ".join(
            f"{name} {cell(series[i])}" for name, series in tables[first].items())
        for k in rest:
            shown = [f"{name} {cell(series[i])}" for name, series in tables[k].items()
                     if series[i] != 0]
            if shown:
                line += f"; {words(k)} " + " · ".join(shown)
        lines.append(line)
    return head + "".join("\n  - " + line for line in lines)


def cell(value: Any) -> str:
    """A value in a table read one row a line: 3 figures (a row holds several), "—" for one
    that is not a finite number (None in the facts: a median of diverged runs)."""
    if value is None:
        return "—"
    return readable(float(value), 3) if isinstance(value, float) else reading(value)


def words(key: str) -> str:
    """A fact's key as words: ``final_loss`` -> ``final loss``."""
    return key.replace("_", " ")


def reading(value: Any, depth: int = 0) -> str:
    """A JSON value as a lecturer reads it: numbers to 4 significant figures without
    e-notation, short lists in brackets, long ones by count and ends, tables as ``key value``
    pairs, and lists of tables one per line (indented by ``depth``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return readable(float(value), 4) if isinstance(value, float) else f"{value:,}"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        label = next((value[k] for k in LABELS if isinstance(value.get(k), str)), None)
        pairs = "; ".join(f"{words(str(k))} {reading(v, depth + 1)}" for k, v in value.items()
                          if k not in LABELS or value[k] != label)
        return f"{label}: {pairs}" if label else pairs
    if all(v is None or isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        numbers = [v for v in value if v is not None]  # None: NaN or inf in the facts
        if len(value) > LONG_LIST and numbers:
            missing = len(value) - len(numbers)
            return (f"{len(value)} values{f', {missing} of them none' if missing else ''}: "
                    f"first {reading(value[0])}, last {reading(value[-1])}; least "
                    f"{reading(min(numbers))}, most {reading(max(numbers))}")
        return "(" + ", ".join(reading(v) for v in value) + ")" if value else "none"
    indent = "\n" + "  " * depth + "- "
    return "".join(indent + reading(v, depth + 1) for v in value)
