"""Loss surfaces f(x, y): value, analytic gradient, domain, critical points, LaTeX, view hints.

Every function is vectorised over points of shape ``(..., 2)``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .formula import FormulaError, check_domain, surface
from .landscape import CriticalPoint, Surface

Array = np.ndarray

__all__ = ["SURFACES", "CriticalPoint", "Surface", "get", "mountain", "resolve"]


# --- the catalogue -------------------------------------------------------------------------------

def _rosenbrock(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x * x) ** 2


def _rosenbrock_grad(x, y, a=1.0, b=100.0):
    return -2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    return t1**2 + t2**2 + t3**2


def _beale_grad(x, y):
    t1, t2, t3 = _beale_terms(x, y)
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
    gy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y**2
    return gx, gy


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


RAVINE_STEEPNESS = 20.0  # condition number of the ravine quadratic


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            name="rosenbrock",
            title="Rosenbrock valley",
            f=_rosenbrock,
            df=_rosenbrock_grad,
            domain=(-2.0, 2.0, -1.0, 3.0),
            critical_points=(CriticalPoint(1.0, 1.0, "minimum"),),
            latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            start=(-1.5, -1.0),
            levels="log",
            lesson="a curved valley, easy to find, slow to follow",
        ),
        Surface(
            name="saddle",
            title="Saddle",
            f=lambda x, y: x * x - y * y,
            df=lambda x, y: (2 * x, -2 * y),
            domain=(-4.5, 4.5, -2.5, 2.5),
            critical_points=(CriticalPoint(0.0, 0.0, "saddle"),),
            latex=r"f(x, y) = x^2 - y^2",
            start=(-4.0, 0.001),
            lesson="flat at its centre, yet not a minimum",
        ),
        Surface(
            name="beale",
            title="Beale function",
            f=_beale,
            df=_beale_grad,
            domain=(-4.5, 4.5, -4.5, 4.5),
            critical_points=(CriticalPoint(3.0, 0.5, "minimum"), CriticalPoint(0.0, 1.0, "saddle")),
            latex=(r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2"
                   r" + (2.625 - x + xy^3)^2"),
            start=(1.0, 1.5),
            levels="log",
            lesson="plateaus and walls; gradients span decades",
        ),
        Surface(
            name="himmelblau",
            title="Himmelblau function",
            f=_himmelblau,
            df=_himmelblau_grad,
            domain=(-5.0, 5.0, -5.0, 5.0),
            critical_points=(
                CriticalPoint(3.0, 2.0, "minimum"),
                CriticalPoint(-2.805118086952745, 3.131312518250573, "minimum"),
                CriticalPoint(-3.779310253377747, -3.283185991286170, "minimum"),
                CriticalPoint(3.584428340330492, -1.848126526964404, "minimum"),
                CriticalPoint(-0.2708445906673476, -0.9230385564799813, "maximum"),
                CriticalPoint(0.08667750455539634, 2.884254701174776, "saddle"),
                CriticalPoint(-3.0730257507643897, -0.0813530442879675, "saddle"),
                CriticalPoint(3.3851541836070207, 0.0738518798377493, "saddle"),
                CriticalPoint(-0.12796134673068008, -1.9537149802445766, "saddle"),
            ),
            latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            start=(-0.5, 0.0),
            levels="log",
            lesson="four equal minima; the start picks one",
        ),
        Surface(
            name="ravine",
            title="Ill-conditioned ravine",
            f=lambda x, y: 0.5 * (x * x + RAVINE_STEEPNESS * y * y),
            df=lambda x, y: (x, RAVINE_STEEPNESS * y),
            domain=(-4.0, 4.0, -2.0, 2.0),
            critical_points=(CriticalPoint(0.0, 0.0, "minimum"),),
            latex=r"f(x, y) = \tfrac{1}{2}\,(x^2 + 20\,y^2)",
            start=(-3.5, 1.2),
            lesson="steep across, shallow along",
        ),
    )
}


def get(name: str) -> Surface:
    """Look a surface up by name; unknown names raise ValueError listing the valid ones."""
    try:
        return SURFACES[name]
    except KeyError:
        valid = ", ".join(SURFACES)
        raise ValueError(f"unknown surface {name!r}; choose one of: {valid}") from None


def resolve(spec: str, domain=None) -> Surface:
    """A named surface, or a formula in x and y (see :mod:`optim_core.formula`).

    ``domain`` (xmin, xmax, ymin, ymax) replaces a named surface's plotting window or sets a
    formula's (default [-3, 3] x [-3, 3]).
    """
    if spec in SURFACES:
        named = SURFACES[spec]
        return named if domain is None else replace(named, domain=check_domain(domain))
    looks_like_name = spec.isidentifier() and spec not in ("x", "y")
    try:
        return surface(spec, None if domain is None else tuple(float(v) for v in domain))
    except FormulaError as exc:
        if looks_like_name and "unknown name" in str(exc):
            valid = ", ".join(SURFACES)
            raise ValueError(f"unknown surface {spec!r}: not one of {valid}, and not a "
                             f"formula in x and y") from None
        raise


# --- a mountain range in profile (1D) -----------------------------------------------------------

def mountain(bowl: float = 0.06, ripple: float = 0.9, frequency: float = 1.3,
             domain: tuple[float, float] = (-6.0, 6.0)) -> Surface:
    """A 1D loss J(theta) = bowl * theta^2 + ripple * sin(frequency * theta) + 2.5, as a surface.

    It is embedded as f(x, y) = J(x) + y^2 / 2 so the optimizers of this package run on it
    unchanged: started at y = 0, every iterate keeps y = 0 exactly and x follows gradient
    descent on J. The local minima of J in the domain are found numerically (brentq on J').
    """
    from scipy.optimize import brentq

    def J(x):
        return bowl * x * x + ripple * np.sin(frequency * x) + 2.5

    def dJ(x):
        return 2 * bowl * x + ripple * frequency * np.cos(frequency * x)

    def d2J(x):
        return 2 * bowl - ripple * frequency**2 * np.sin(frequency * x)

    lo, hi = domain
    xs = np.linspace(lo, hi, 2001)
    d = dJ(xs)
    points = []
    for a, b, da, db in zip(xs[:-1], xs[1:], d[:-1], d[1:], strict=True):
        if da == 0 or da * db < 0:
            root = a if da == 0 else brentq(dJ, a, b, xtol=1e-14)
            kind = "minimum" if d2J(root) > 0 else "maximum"
            points.append(CriticalPoint(float(root), 0.0, kind))
    return Surface(
        name="mountain", title="Mountain range",
        f=lambda x, y: J(x) + 0.5 * y * y, df=lambda x, y: (dJ(x), y),
        domain=(lo, hi, -1.0, 1.0), critical_points=tuple(points),
        latex=rf"J(\theta) = {bowl:g}\,\theta^2 + {ripple:g}\,\sin({frequency:g}\,\theta) + 2.5",
        start=(4.5, 0.0), lesson="valleys at several heights",
    )
