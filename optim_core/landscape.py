"""What a loss surface is: ``Surface`` (value, exact gradient, domain, critical points, LaTeX,
view hints) and ``CriticalPoint``. The named catalogue (:mod:`optim_core.surfaces`) and the
formula parser (:mod:`optim_core.formula`) both build on it, so neither imports the other's
module back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

Array = np.ndarray
Coordinate = Any  # a number, or an array of them (the surfaces broadcast)


@dataclass(frozen=True)
class CriticalPoint:
    x: float
    y: float
    kind: str  # "minimum", "saddle" or "maximum"

    @property
    def point(self) -> Array:
        return np.array([self.x, self.y])


@dataclass(frozen=True)
class Surface:
    """A 2D test function with what the scenes need to draw and caption it.

    Attributes:
        name: registry key.
        title: human name shown on screen.
        f: value, ``f(x, y)`` with array arguments.
        df: analytic gradient, ``df(x, y) -> (df/dx, df/dy)``.
        domain: plotting window ``(xmin, xmax, ymin, ymax)``.
        critical_points: the minima, saddles and maxima inside the domain.
        latex: the formula, for MathTex.
        start: a start point that shows the surface's character.
        levels: view hint for contour levels: ``"log"`` (values span decades) or ``"linear"``.
        lesson: one line on what the surface teaches.
    """

    name: str
    title: str
    f: Callable[[Coordinate, Coordinate], Any]
    df: Callable[[Coordinate, Coordinate], tuple[Any, Any]]
    domain: tuple[float, float, float, float]
    critical_points: tuple[CriticalPoint, ...]
    latex: str
    start: tuple[float, float]
    levels: str = "linear"
    lesson: str = ""

    def value(self, p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return self.f(p[..., 0], p[..., 1])

    def gradient(self, p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        gx, gy = self.df(p[..., 0], p[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points if c.kind == "minimum")

    def scaled(self, factor: float) -> Surface:
        """The same surface with its loss multiplied by ``factor`` (> 0): the same valleys and
        critical points, every gradient ``factor`` times as large."""
        f, df = self.f, self.df

        def scaled_df(x: Coordinate, y: Coordinate) -> tuple[Any, Any]:
            dx, dy = df(x, y)
            return factor * dx, factor * dy

        return replace(self, f=lambda x, y: factor * f(x, y), df=scaled_df)

    def shrunk(self, factor: float) -> Surface:
        """The same surface with every distance divided by ``factor`` (> 0) and its heights
        kept: ``f(factor·x, factor·y)``. Its critical points, start and domain move ``factor``
        times closer to the origin; every gradient is ``factor`` times as large."""
        f, df = self.f, self.df

        def shrunk_df(x: Coordinate, y: Coordinate) -> tuple[Any, Any]:
            dx, dy = df(factor * x, factor * y)
            return factor * dx, factor * dy

        return replace(self, f=lambda x, y: f(factor * x, factor * y), df=shrunk_df,
                       domain=tuple(d / factor for d in self.domain),  # type: ignore[arg-type]
                       critical_points=tuple(replace(c, x=c.x / factor, y=c.y / factor)
                                             for c in self.critical_points),
                       start=(self.start[0] / factor, self.start[1] / factor))

    def in_domain(self, p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        x0, x1, y0, y1 = self.domain
        return (p[..., 0] >= x0) & (p[..., 0] <= x1) & (p[..., 1] >= y0) & (p[..., 1] <= y1)

    def grid(self, n: int = 200) -> tuple[Array, Array, Array]:
        """``(X, Y, Z)`` on an ``n x n`` grid over the domain (rows are y, columns x)."""
        x0, x1, y0, y1 = self.domain
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self.f(X, Y)
