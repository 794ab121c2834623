"""Facts about single-run trajectories that captions state: reached, left, how close, how long.

Every outcome a scene puts into words is computed here from the recorded rows, so custom
parameters can never produce a caption the data does not support.
"""

from __future__ import annotations

import numpy as np

from .trajectory import Trajectory

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
