"""Run an optimizer on a surface and keep everything it did; map steps onto video frames.

A :class:`Trajectory` holds, per step, arrays with a leading step axis: row 0 is the start, row k
is the state after k updates. ``grad[k]`` is the gradient at ``position[k]`` (the one update k+1
uses), so ``m[1] == (1 - b1) * grad[0]``; ``update[k] = position[k] - position[k-1]``
(``update[0] = 0``).

Runs may be batched (leading batch axes after the step axis). A run that diverges (non-finite
values, or a position beyond ``bound``) stops: ``diverged_at`` holds the first step whose row is
invalid (``-1`` for runs that did not diverge), and that row and every later one are NaN for that
run only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .landscape import Surface
from .optimizers import Optimizer

Array = np.ndarray

DEFAULT_BOUND = 1e6
STATE_ORDER = ("m", "v", "m_hat", "v_hat", "v_max")


@dataclass(frozen=True)
class Trajectory:
    position: Array  # (steps+1, *batch, 2)
    loss: Array  # (steps+1, *batch)
    grad: Array  # (steps+1, *batch, 2)
    update: Array  # (steps+1, *batch, 2)
    state: dict[str, Array]  # name -> (steps+1, *batch, 2), in STATE_ORDER
    diverged_at: Array  # (*batch,) int, -1 where the run did not diverge
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return self.position.shape[0] - 1

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.position.shape[1:-1]

    def __getitem__(self, index) -> Trajectory:
        """Select runs of a batch: ``traj[3]`` is the fourth run as a single trajectory."""
        if not self.batch_shape:
            raise IndexError("this trajectory is a single run; there is no batch to index")
        idx = (slice(None), *np.index_exp[index])
        return Trajectory(
            position=self.position[idx], loss=self.loss[idx], grad=self.grad[idx],
            update=self.update[idx], state={k: a[idx] for k, a in self.state.items()},
            diverged_at=np.asarray(self.diverged_at[index]), settings=self.settings,
        )

    @property
    def diverged(self) -> bool | Array:
        d = self.diverged_at >= 0
        return bool(d) if d.ndim == 0 else d

    @property
    def valid_steps(self) -> int:
        """Number of valid rows of a single run (``steps + 1`` unless it diverged)."""
        k = int(self.diverged_at)
        return self.steps + 1 if k < 0 else k

    # --- columns, CSV and JSON (single runs) -----------------------------------------------------

    def columns(self) -> dict[str, Array]:
        """The valid rows of a single run as named 1D columns, in the CSV order."""
        if self.batch_shape:
            raise ValueError("columns() needs a single run; select one with traj[i]")
        n = self.valid_steps
        cols: dict[str, Array] = {"step": np.arange(n)}
        cols["x"], cols["y"] = self.position[:n, 0], self.position[:n, 1]
        cols["loss"] = self.loss[:n]
        cols["grad_x"], cols["grad_y"] = self.grad[:n, 0], self.grad[:n, 1]
        for name, arr in self.state.items():
            cols[f"{name}_x"], cols[f"{name}_y"] = arr[:n, 0], arr[:n, 1]
        cols["update_x"], cols["update_y"] = self.update[:n, 0], self.update[:n, 1]
        return cols

    def to_csv(self) -> str:
        cols = self.columns()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for row in zip(*cols.values(), strict=True):
            writer.writerow([int(v) if i == 0 else repr(float(v)) for i, v in enumerate(row)])
        return buf.getvalue()

    def to_json(self) -> str:
        doc = {
            "settings": self.settings,
            "diverged_at": None if not self.diverged else int(self.diverged_at),
            "columns": {k: v.tolist() for k, v in self.columns().items()},
        }
        return json.dumps(doc, indent=1)

    @classmethod
    def from_columns(cls, cols: dict[str, Any], settings: dict[str, Any] | None = None,
                     diverged_at: int | None = None) -> Trajectory:
        """Rebuild a single run from :meth:`columns` output (as read back from CSV or JSON)."""
        def pair(name: str) -> Array:
            return np.stack([np.asarray(cols[f"{name}_x"], float),
                             np.asarray(cols[f"{name}_y"], float)], axis=-1)

        state = {n: pair(n) for n in STATE_ORDER if f"{n}_x" in cols}
        position = np.stack([np.asarray(cols["x"], float), np.asarray(cols["y"], float)], axis=-1)
        return cls(position=position, loss=np.asarray(cols["loss"], float), grad=pair("grad"),
                   update=pair("update"), state=state,
                   diverged_at=np.asarray(-1 if diverged_at is None else diverged_at),
                   settings=dict(settings or {}))

    @classmethod
    def from_csv(cls, text: str) -> Trajectory:
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        cols = {name: [float(r[i]) for r in body] for i, name in enumerate(header)}
        return cls.from_columns(cols)

    @classmethod
    def from_json(cls, text: str) -> Trajectory:
        doc = json.loads(text)
        return cls.from_columns(doc["columns"], doc.get("settings"), doc.get("diverged_at"))

    def dumps(self, path: str | Path) -> str:
        """The export a file name asks for: JSON for ``.json``, else CSV."""
        return self.to_json() if Path(path).suffix.lower() == ".json" else self.to_csv()

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.dumps(path))


# --- running -------------------------------------------------------------------------------------

class _Step(NamedTuple):
    """The runs after ``done`` updates (0: at the start); stopped runs keep their last
    valid point, so they never feed NaN or inf onward."""

    done: int
    position: Array
    loss: Array
    grad: Array
    update: Array  # the update that led here (zeros at the start)
    observed: dict[str, Array]
    alive: Array
    diverged_at: Array


def _steps(optimizer: Optimizer, surface: Surface, start: Any, steps: int,
           bound: float) -> Iterator[_Step]:
    """Advance every run of the batch ``steps`` times, yielding the state after each update."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    start = np.asarray(start, dtype=float)
    if start.shape[-1:] != (2,):
        raise ValueError(f"start must have shape (..., 2), got {start.shape}")
    shape = np.broadcast_shapes(start.shape, *(np.shape(h) for h in optimizer.hyperparams.values()))
    p = np.array(np.broadcast_to(start, shape))
    state = optimizer.init(p)
    names = list(optimizer.observe(state))
    diverged_at = np.full(shape[:-1], -1, dtype=int)
    alive = np.ones(shape[:-1], dtype=bool)

    def valid(p, f, g, observed) -> Array:
        # This runs every step on thousands of runs at once, and numpy reduces slowly along a
        # last axis of length 2: so, column by column. 0 * x is 0 for a finite x and NaN for
        # inf or NaN, so one sum of zeros says whether every value is finite; a NaN or inf
        # position also fails the bound.
        zero = 0 * f
        for arr in (g, *(observed[n] for n in names)):
            for k in range(arr.shape[-1]):
                zero = zero + 0 * arr[..., k]
        far = np.abs(p[..., 0])
        for k in range(1, p.shape[-1]):
            far = np.maximum(far, np.abs(p[..., k]))
        return np.isfinite(zero) & (far <= bound)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        f, g = surface.value(p), surface.gradient(p)
        observed = optimizer.observe(state)
        alive &= valid(p, f, g, observed)
        diverged_at[~alive] = 0
        yield _Step(0, p, f, g, np.zeros_like(p), observed, alive, diverged_at)
        for k in range(1, steps + 1):
            u, state = optimizer.update(g, state, p)
            p_new = p + u
            f_new, g_new = surface.value(p_new), surface.gradient(p_new)
            observed = optimizer.observe(state)
            finite = valid(p_new, f_new, g_new, observed)
            diverged_at[alive & ~finite] = k
            alive &= finite
            keep = alive[..., None]
            p = np.where(keep, p_new, p)
            g = np.where(keep, g_new, g)
            yield _Step(k, p, f_new, g, u, observed, alive, diverged_at)


def run(optimizer: Optimizer, surface: Surface, start: Any, steps: int,
        bound: float = DEFAULT_BOUND) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start`` for ``steps`` updates.

    ``start`` has shape ``(..., 2)``; hyperparameters given as arrays broadcast against it, so a
    batch of starts and/or hyperparameters runs in one call.
    """
    walk = _steps(optimizer, surface, start, steps, bound)
    first = next(walk)
    position = np.full((steps + 1, *first.position.shape), np.nan)
    grad, update = np.full_like(position, np.nan), np.full_like(position, np.nan)
    loss = np.full(position.shape[:-1], np.nan)
    recorded = {n: np.full_like(position, np.nan) for n in STATE_ORDER if n in first.observed}
    step = first
    for step in chain([first], walk):
        ok = step.alive[..., None]
        position[step.done] = np.where(ok, step.position, np.nan)
        loss[step.done] = np.where(step.alive, step.loss, np.nan)
        grad[step.done] = np.where(ok, step.grad, np.nan)
        update[step.done] = np.where(ok, step.update, np.nan)
        for n in recorded:
            recorded[n][step.done] = np.where(ok, step.observed[n], np.nan)
    return Trajectory(position=position, loss=loss, grad=grad, update=update, state=recorded,
                      diverged_at=step.diverged_at,
                      settings={"optimizer": optimizer.name,
                                "hyperparams": _plain(optimizer.hyperparams),
                                "surface": surface.name, "start": _plain(start),
                                "steps": steps})


class Ends(NamedTuple):
    """What :func:`run_ends` keeps of a batch of runs."""

    final: Array  # the loss after the last step; NaN where the run diverged
    diverged_at: Array  # the step it diverged at, -1 if it did not
    position: Array | None  # (steps + 1, ..., 2), NaN from divergence on; only if asked for


def run_ends(optimizer: Optimizer, surface: Surface, start: Any, steps: int,
             bound: float = DEFAULT_BOUND, path: bool = False) -> Ends:
    """Like :func:`run`, but keeps only each run's end (and its path, if ``path``): memory does
    not grow with the steps, so thousands of runs (e.g. a learning-rate sweep as a batch axis)
    fit in one call, and the positions alone cost a fraction of a full :class:`Trajectory`."""
    position = None
    for step in _steps(optimizer, surface, start, steps, bound):
        if path:
            if position is None:
                position = np.full((steps + 1, *step.position.shape), np.nan)
            position[step.done] = np.where(step.alive[..., None], step.position, np.nan)
    return Ends(np.where(step.alive, step.loss, np.nan), step.diverged_at.copy(), position)


def accumulate(optimizer: Optimizer, grads: Any) -> dict[str, Array]:
    """Feed a given stream of gradients (leading axis = step) through ``optimizer``.

    Returns every observed state variable and the updates, with row 0 the initial state, exactly
    as the optimizer computes them (e.g. Adam's m, v, m_hat, v_hat for a made-up stream).
    """
    grads = np.asarray(grads, dtype=float)
    params = np.zeros_like(grads[0])
    state = optimizer.init(params)
    rows = [{**optimizer.observe(state), "update": np.zeros_like(params)}]
    for g in grads:
        update, state = optimizer.update(g, state, params)
        rows.append({**optimizer.observe(state), "update": update})
    return {k: np.stack([r[k] for r in rows]) for k in rows[0]}


def _plain(value: Any) -> Any:
    """Numbers and arrays as JSON-ready Python values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return np.asarray(value).tolist()


# --- steps onto video frames ---------------------------------------------------------------------

def _warp_linear(u: Array, n: int) -> Array:
    return u * n


def _warp_ease(u: Array, n: int) -> Array:
    return u * u * n


def _warp_log(u: Array, n: int) -> Array:
    return np.expm1(u * np.log1p(n))


WARPS: dict[str, Callable[[Array, int], Array]] = {
    "linear": _warp_linear,  # constant steps per second
    "ease": _warp_ease,  # quadratic: a quarter of the steps in the first half of the time
    "log": _warp_log,  # equal time for each decade of steps: the first steps are seen one by one
}


def step_at(alpha: Any, steps: int, warp: str = "ease") -> Array:
    """Fractional step shown at animation progress ``alpha`` in [0, 1].

    Monotone, with 0 -> 0 and 1 -> ``steps``.
    """
    if warp not in WARPS:
        raise ValueError(f"unknown warp {warp!r}; choose one of: {', '.join(WARPS)}")
    u = np.clip(np.asarray(alpha, dtype=float), 0.0, 1.0)
    return np.clip(WARPS[warp](u, steps), 0.0, steps)


def interpolator(values: Array) -> Callable[[Any], Array]:
    """A function from fractional steps to values (leading axis = step), linear between
    consecutive steps and clamped to the recorded range. Build it once, call it every frame.

    Linear because the optimizer moves in straight segments: what is drawn between two iterates
    is the update itself.
    """
    values = np.asarray(values, dtype=float)
    from scipy.interpolate import make_interp_spline  # scipy.interpolate costs 0.3 s to import

    last = values.shape[0] - 1
    spline = make_interp_spline(np.arange(last + 1), values, k=1, axis=0)
    return lambda at_steps: spline(np.clip(np.asarray(at_steps, dtype=float), 0, last))


def interpolate(values: Array, at_steps: Any) -> Array:
    """Values (leading axis = step) at fractional steps: :func:`interpolator`, used once."""
    return interpolator(values)(at_steps)


def sample_frames(traj: Trajectory, n_frames: int, warp: str = "ease") -> tuple[Array, Array]:
    """``(steps, positions)`` of ``n_frames`` evenly timed video frames of a single run."""
    if n_frames < 2:
        raise ValueError("n_frames must be at least 2")
    steps = step_at(np.linspace(0.0, 1.0, n_frames), traj.valid_steps - 1, warp)
    return steps, interpolate(traj.position[: traj.valid_steps], steps)
