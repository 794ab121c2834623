"""Learning-rate sweeps: one optimizer from many starts at many learning rates, in one call.

The learning rates are a batch axis (``lr`` of shape ``(n_lr, 1, 1)`` against starts of shape
``(n_starts, 2)``), so a sweep of 25 rates x 64 starts is one batched run of 1,600 trajectories
that keeps only each run's end (:func:`optim_core.trajectory.run_ends`).

A run that diverges (left ±bound or turned non-finite) has no final loss; it counts as worse
than any finite loss in the percentiles, which are sample values (no interpolation between a
finite loss and a diverged run). Everything the tuning scene says is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .landscape import Surface
from .optimizers import HYPERPARAMETERS, make
from .trajectory import run_ends

Array = np.ndarray


def log_rates(lo: float, hi: float, n: int) -> Array:
    """``n`` learning rates evenly spaced on a log scale from ``lo`` to ``hi``."""
    return np.logspace(np.log10(lo), np.log10(hi), n)


def random_starts(domain: tuple[float, float, float, float], n: int, seed: int) -> Array:
    """``n`` start points drawn uniformly over ``domain`` with a fixed seed: shape (n, 2)."""
    x0, x1, y0, y1 = domain
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


@dataclass(frozen=True)
class Sweep:
    """Final losses of one optimizer: one row per learning rate, one column per start."""

    optimizer: str
    lrs: Array  # (n_lr,)
    final: Array  # (n_lr, n_starts): the final loss above ``floor``; NaN where it diverged
    diverged_at: Array  # (n_lr, n_starts): the step it diverged at, -1 if it did not
    floor: float = 0.0  # the surface's lowest minimum, subtracted from every loss

    @property
    def diverged(self) -> Array:
        return self.diverged_at >= 0

    def quantile(self, q: float) -> Array:
        """Per learning rate, the ``q`` quantile of the final loss over the starts (a sample
        value; a diverged run is worse than any loss, so it may be inf)."""
        ranked = np.where(self.diverged, np.inf, self.final)
        return np.quantile(ranked, q, axis=1, method="inverted_cdf")

    @property
    def median(self) -> Array:
        return self.quantile(0.5)

    @property
    def diverged_share(self) -> Array:
        return self.diverged.mean(axis=1)

    def works(self, threshold: float) -> Array:
        """Where the median final loss is below ``threshold``."""
        return self.median < threshold


def lr_sweep(optimizer: str, lrs: Any, starts: Any, surface: Surface, steps: int,
             **hyper: float) -> Sweep:
    """Run ``optimizer`` (by name, with ``hyper`` besides lr) from every start at every rate.

    Losses are measured above the surface's lowest minimum in its domain (0 for the named
    surfaces), so "below the threshold" means "that close to the best possible"."""
    if not surface.minima:
        raise ValueError(f"{surface.name} has no minimum in its domain: a sweep measures the "
                         "loss above the lowest minimum")
    floor = min(float(surface.f(c.x, c.y)) for c in surface.minima)
    lrs = np.asarray(lrs, dtype=float)
    opt = make(optimizer, lr=lrs[:, None, None], **hyper)
    final, diverged_at, _ = run_ends(opt, surface, np.asarray(starts, dtype=float), steps)
    return Sweep(optimizer, lrs, np.maximum(final - floor, 0.0), diverged_at, floor)


@dataclass(frozen=True)
class Verdict:
    """What a sweep says about one optimizer, in the terms a caption uses."""

    optimizer: str
    threshold: float
    works: tuple[float, ...]  # the rates where the median final loss is below the threshold
    contiguous: bool  # the working rates are one unbroken stretch of the grid
    decades: float  # log10(highest working rate / lowest), 0 if it works at one rate or none
    first_diverged: float | None  # the lowest rate at which any run diverged
    best_lr: float  # the rate with the lowest median (fewest diverged runs if all are inf)
    best_median: float  # inf if more than half the runs diverged at every rate


def verdict(sweep: Sweep, threshold: float) -> Verdict:
    ok = sweep.works(threshold)
    idx = np.flatnonzero(ok)
    works = tuple(float(v) for v in sweep.lrs[idx])
    contiguous = bool(len(idx) == 0 or idx[-1] - idx[0] + 1 == len(idx))
    decades = float(np.log10(works[-1] / works[0])) if works else 0.0
    share = sweep.diverged_share
    first = float(sweep.lrs[np.flatnonzero(share > 0)[0]]) if np.any(share > 0) else None
    median = sweep.median
    best = int(np.lexsort((share, median))[0])  # lowest median, then fewest diverged
    return Verdict(sweep.optimizer, threshold, works, contiguous, decades, first,
                   float(sweep.lrs[best]), float(median[best]))


def widest(verdicts: list[Verdict]) -> list[Verdict]:
    """The optimizers working over the widest range of rates (ties kept; by the number of grid
    rates that work, then by decades); empty when none works anywhere."""
    if not any(v.works for v in verdicts):
        return []
    top = max((len(v.works), round(v.decades, 9)) for v in verdicts)
    return [v for v in verdicts if (len(v.works), round(v.decades, 9)) == top]


# --- the loss's scale ---------------------------------------------------------------------------

def widened(lrs: Any, factor: float) -> Array:
    """The log-spaced grid ``lrs`` continued at both ends in its own spacing until it reaches
    ``factor`` times further each way (as far as the core accepts a rate): the rates of
    ``lrs`` are kept exactly, so a run at one of them is the same run in both grids."""
    lrs = np.asarray(lrs, dtype=float)
    spacing = np.log10(lrs[1] / lrs[0])
    k = int(np.ceil(np.log10(factor) / spacing - 1e-9))
    below = lrs[0] * 10.0 ** (-spacing * np.arange(k, 0, -1))
    above = lrs[-1] * 10.0 ** (spacing * np.arange(1, k + 1))
    out = np.concatenate([below, lrs, above])
    return out[out <= HYPERPARAMETERS["lr"].high]


@dataclass(frozen=True)
class Shift:
    """What multiplying the loss by ``scale`` did to one optimizer's rates: its working rates,
    or its best rate where it works at no rate with the loss as it is (``kind``)."""

    optimizer: str
    scale: float
    kind: str  # "working" or "best"
    before: tuple[float, ...]  # the rates with the loss as it is
    after: tuple[float, ...]  # the same kind of rates with the loss times ``scale``

    @property
    def factor(self) -> float | None:
        """How many times lower the rates are after (1: the same rates, < 1: higher), when all
        moved by one factor; None when they did not (or none are left)."""
        if not self.after or len(self.after) != len(self.before):
            return None
        ratios = np.array(self.before) / np.array(self.after)
        return float(np.median(ratios)) if np.allclose(ratios, ratios[0], rtol=1e-6) else None


def shift(before: Verdict, after: Verdict, scale: float) -> Shift:
    """Compare two verdicts of one optimizer on the same grid, the second with the loss times
    ``scale`` (and its threshold times ``scale``: the same closeness to the minimum)."""
    if before.works:
        return Shift(before.optimizer, scale, "working", before.works, after.works)
    return Shift(before.optimizer, scale, "best", (before.best_lr,), (after.best_lr,))
