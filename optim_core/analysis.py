"""Facts about trajectories that captions state: reached, left, how close, how long; a race's
outcomes, a saddle's escapes, the mountain's walks, the ravine's zig-zags, bias correction's
step ratio. (Learning-rate sweeps have theirs in :mod:`optim_core.sweep`.)

Every outcome a scene puts into words is computed here from the recorded rows, so custom
parameters can never produce a caption the data does not support.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .landscape import CriticalPoint, Surface
from .optimizers import adam, adam_uncorrected
from .trajectory import Trajectory, accumulate

Array = np.ndarray


def valid_positions(traj: Trajectory) -> Array:
    return traj.position[: traj.valid_steps]


def distances(traj: Trajectory, point) -> Array:
    """Distance of every valid row's position to ``point``."""
    return np.linalg.norm(valid_positions(traj) - np.asarray(point, dtype=float), axis=-1)


def first_within(traj: Trajectory, point, tol: float) -> int | None:
    """First step at which the run is within ``tol`` of ``point``; None if never."""
    hits = np.flatnonzero(distances(traj, point) <= tol)
    return int(hits[0]) if hits.size else None


def steps_within(traj: Trajectory, point, radius: float) -> int:
    """How many rows (steps) the run spends within ``radius`` of ``point``."""
    return int(np.count_nonzero(distances(traj, point) <= radius))


def first_exit(traj: Trajectory, domain: tuple[float, float, float, float]) -> int | None:
    """First step outside ``domain`` (or where the run diverged); None if never."""
    x0, x1, y0, y1 = domain
    p = valid_positions(traj)
    outside = (p[:, 0] < x0) | (p[:, 0] > x1) | (p[:, 1] < y0) | (p[:, 1] > y1)
    hits = np.flatnonzero(outside)
    if hits.size:
        return int(hits[0])
    return int(traj.diverged_at) if traj.diverged else None


def final(traj: Trajectory) -> tuple[int, Array, float]:
    """``(step, position, loss)`` of the last valid row."""
    k = traj.valid_steps - 1
    return k, traj.position[k], float(traj.loss[k])


def nearest(points, p) -> tuple[int, float]:
    """Index of the point of ``points`` nearest to ``p`` and its distance."""
    d = np.linalg.norm(np.asarray(points, dtype=float) - np.asarray(p, dtype=float), axis=-1)
    i = int(np.argmin(d))
    return i, float(d[i])


# --- moments: the ravine ------------------------------------------------------------------------

def zigzags(traj, axis: int = 1) -> int:
    """How often a run crosses zero in one coordinate (sign changes)."""
    y = traj.position[: traj.valid_steps, axis]
    return int(np.count_nonzero(np.sign(y[1:]) * np.sign(y[:-1]) < 0))


def overshoot(traj, surface) -> float:
    """How far a run travels past the minimum along x (the ravine's flat direction)."""
    start_x = traj.position[0, 0]
    target = surface.minima[0].x
    past = (traj.position[: traj.valid_steps, 0] - target) * np.sign(target - start_x)
    return float(max(past.max(), 0.0))


# --- the mountain: valleys and learning rates ----------------------------------------------------

def nearest_floor(surface: Surface, theta: float) -> float:
    return min((c.x for c in surface.minima), key=lambda m: abs(m - theta))


def lowest_floor(surface: Surface) -> float:
    return min((c.x for c in surface.minima), key=lambda m: surface.f(m, 0.0))


@dataclass(frozen=True)
class Walk:
    """How one learning rate's walk went, measured against the valley floor it ended nearest."""

    lr: float
    steps: int
    diverged_at: int | None
    floor: float
    gap: float  # |final θ - floor|
    crossings: int  # times the walk jumped across that floor

    @classmethod
    def of(cls, traj, surface: Surface, lr: float) -> Walk:
        theta = traj.position[: traj.valid_steps, 0]
        floor = nearest_floor(surface, float(theta[-1]))
        side = np.sign(theta - floor)
        return cls(lr, traj.valid_steps - 1, int(traj.diverged_at) if traj.diverged else None,
                   floor, float(abs(theta[-1] - floor)),
                   int(np.count_nonzero(side[1:] * side[:-1] < 0)))


# --- bias correction ----------------------------------------------------------------------------

def step_ratio(beta1: float, beta2: float, g: np.ndarray) -> np.ndarray:
    """|uncorrected update| / |corrected update| per step on a gradient stream, as the core
    computes them; ~(1 - b1^t) / sqrt(1 - b2^t)."""
    full = accumulate(adam(1.0, beta1, beta2), g)["update"][1:]
    raw = accumulate(adam_uncorrected(1.0, beta1, beta2), g)["update"][1:]
    return np.abs(raw) / np.abs(full)


# --- the race ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RacerOutcome:
    name: str
    final_step: int
    final_loss: float
    distance: float  # to the nearest minimum
    minimum: tuple[float, float] | None  # the minimum nearest to where the run ended
    reached_at: int | None  # first step within the tolerance of a minimum
    reached: tuple[float, float] | None  # the minimum it came within the tolerance of first
    diverged_at: int | None
    left_plot_at: int | None


def outcomes(runs: list[Any], surface: Surface, tolerance: float) -> list[RacerOutcome]:
    """Where each run (anything with ``name`` and ``traj``) ended, and whether and when it
    came within ``tolerance`` of a minimum."""
    minima = [c.point for c in surface.minima]
    out = []
    for r in runs:
        step, pos, loss = final(r.traj)
        minimum, dist, reached_at, reached = None, float("nan"), None, None
        if minima:
            i, dist = nearest(minima, pos)
            minimum = (float(minima[i][0]), float(minima[i][1]))
            hits = [(h, m) for m in minima
                    if (h := first_within(r.traj, m, tolerance)) is not None]
            if hits:
                reached_at, point = min(hits, key=lambda hit: hit[0])
                reached = (float(point[0]), float(point[1]))
        out.append(RacerOutcome(
            name=r.name, final_step=step, final_loss=loss, distance=dist, minimum=minimum,
            reached_at=reached_at, reached=reached,
            diverged_at=int(r.traj.diverged_at) if r.traj.diverged else None,
            left_plot_at=first_exit(r.traj, surface.domain)))
    return out


# --- the saddle -------------------------------------------------------------------------------

def focus_point(surface: Surface) -> CriticalPoint | None:
    """The point the story is about: the first saddle, else the first minimum."""
    for kind in ("saddle", "minimum"):
        for c in surface.critical_points:
            if c.kind == kind:
                return c
    return None


@dataclass(frozen=True)
class EscapeOutcome:
    name: str
    escaped_at: int | None  # first step outside the plotted region
    steps_near: int | None  # steps within the radius of the focus point
    final_loss: float


def escape_outcomes(runs: list[Any], surface: Surface, radius: float) -> list[EscapeOutcome]:
    """When each run (anything with ``name`` and ``traj``) left the plot, and how many steps
    it spent within ``radius`` of the focus point."""
    focus = focus_point(surface)
    return [EscapeOutcome(
        name=r.name, escaped_at=first_exit(r.traj, surface.domain),
        steps_near=steps_within(r.traj, focus.point, radius) if focus else None,
        final_loss=final(r.traj)[2]) for r in runs]


def escape_direction(surface: Surface, point: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """The unit direction in which the loss curves down fastest at ``point`` (a saddle's way
    out): the eigenvector of the Hessian's smallest eigenvalue, the Hessian by central
    differences of the gradient."""
    cols = [(surface.gradient(point + h * e) - surface.gradient(point - h * e)) / (2 * h)
            for e in np.eye(2)]
    hessian = np.array(cols)
    _, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    return vectors[:, 0]


def distance_along(traj: Trajectory, point, direction: np.ndarray) -> Array:
    """Every valid row's distance from ``point`` along the unit ``direction``."""
    return np.abs((valid_positions(traj) - np.asarray(point, dtype=float)) @ direction)


def growth_along(traj: Any, point: np.ndarray, direction: np.ndarray,
                 steps: int = 10) -> tuple[float, float | None]:
    """How a run moves away from ``point`` along ``direction``: how far out it starts, and the
    factor its distance grows by a step over the first ``steps`` (their geometric mean; fewer
    steps if the run ends sooner). None for the factor when the run starts on the line or
    makes no step."""
    k = min(steps, traj.valid_steps - 1)
    if k < 1:
        return float("nan"), None
    away = distance_along(traj, point, direction)
    if away[0] == 0:
        return float(away[0]), None
    return float(away[0]), float((away[k] / away[0]) ** (1 / k))


def first_step_along(traj: Any, direction: np.ndarray) -> tuple[float, float]:
    """The size of a run's starting gradient and of its first step along ``direction``."""
    g = float(abs(traj.grad[0] @ direction))
    step = float(abs((traj.position[1] - traj.position[0]) @ direction)) if traj.valid_steps > 1 \
        else 0.0
    return g, step
