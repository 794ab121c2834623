"""2D plot helpers shared by the scenes: a data-to-scene map, colour field, contours, clipped paths.

Everything here is drawn once (static backgrounds) or computed once per path; the per-frame work
is only revealing precomputed polylines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import contourpy
import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Circle,
    DashedLine,
    DashedVMobject,
    Line,
    Rectangle,
    Text,
    VGroup,
    VMobject,
)

from optim_core import Surface
from scenes.framework.internals.texts import laid_out
from scenes.framework.numbers import decade
from scenes.framework.palette import Theme
from scenes.framework.raster import Raster, RasterCamera
from scenes.framework.style import BODY_FONT, PICTURE_BOTTOM, ramp

Box = tuple[float, float, float, float]


def nice_step(span: float, max_ticks: int = 5) -> float:
    """A tick spacing of 1, 2 or 5 times a power of ten giving at most ``max_ticks`` ticks."""
    base = 10 ** np.floor(np.log10(span / max_ticks))
    for m in (1, 2, 5, 10):
        if span / (m * base) <= max_ticks:
            return float(m * base)
    return float(10 * base)


def ticks(lo: float, hi: float) -> np.ndarray:
    step = nice_step(hi - lo)
    return np.arange(np.ceil(lo / step - 1e-9), np.floor(hi / step + 1e-9) + 1) * step


def tick_label(v: float) -> str:
    return f"{v + 0.0:g}".replace("-", "\u2212")  # + 0.0: a tick at -0.0 is "0"


def plot_frame(domain: Box, pm: PlaneMap, theme: Theme, font_size: float = 18,
               x_numbers: bool = True, y_numbers: bool = True) -> VGroup:
    """A box around the plot with ticks and numbers on the left and bottom edges."""
    x0, x1, y0, y1 = domain
    lower_left, upper_right = pm(np.array([x0, y0])), pm(np.array([x1, y1]))
    box = Rectangle(width=upper_right[0] - lower_left[0], height=upper_right[1] - lower_left[1])
    box.move_to((lower_left + upper_right) / 2).set_stroke(theme.axis, width=1.5)
    out = VGroup(box)
    for x in ticks(x0, x1):
        p = pm(np.array([x, y0]))
        out.add(Line(p, p + 0.1 * UP).set_stroke(theme.axis, width=1.5))
        if x_numbers:
            out.add(laid_out(tick_label(x), BODY_FONT, font_size, theme.muted)
                    .next_to(p, DOWN, buff=0.1))
    for y in ticks(y0, y1):
        p = pm(np.array([x0, y]))
        out.add(Line(p, p + 0.1 * RIGHT).set_stroke(theme.axis, width=1.5))
        if y_numbers:
            out.add(laid_out(tick_label(y), BODY_FONT, font_size, theme.muted)
                    .next_to(p, LEFT, buff=0.1))
    return out


@dataclass(frozen=True)
class PlaneMap:
    """Affine map from data (x, y) to scene points, vectorised."""

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray

    @classmethod
    def fit(cls, domain: Box, width: float, height: float, center: np.ndarray) -> PlaneMap:
        """Map ``domain`` at equal scale on both axes into ``width`` x ``height`` at ``center``."""
        x0, x1, y0, y1 = domain
        scale = min(width / (x1 - x0), height / (y1 - y0))
        ex, ey = np.array([scale, 0.0, 0.0]), np.array([0.0, scale, 0.0])
        origin = np.asarray(center, float) - (x0 + x1) / 2 * ex - (y0 + y1) / 2 * ey
        return cls(origin, ex, ey)

    @classmethod
    def stretch(cls, domain: Box, width: float, height: float, center: np.ndarray) -> PlaneMap:
        """Map ``domain`` onto exactly ``width`` x ``height`` at ``center`` (unequal scales)."""
        x0, x1, y0, y1 = domain
        ex = np.array([width / (x1 - x0), 0.0, 0.0])
        ey = np.array([0.0, height / (y1 - y0), 0.0])
        origin = np.asarray(center, float) - (x0 + x1) / 2 * ex - (y0 + y1) / 2 * ey
        return cls(origin, ex, ey)

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        return self.origin + xy[..., 0:1] * self.ex + xy[..., 1:2] * self.ey

    def inverse(self, points: np.ndarray) -> np.ndarray:
        """Scene points back to data (x, y) (the map is axis-aligned)."""
        d = np.asarray(points, dtype=float) - self.origin
        return np.stack([d[..., 0] / self.ex[0], d[..., 1] / self.ey[1]], axis=-1)


Unit = Callable[[np.ndarray], np.ndarray]


def value_scale(z: np.ndarray, levels: str) -> tuple[Unit, np.ndarray]:
    """``(to_unit, contour_levels)`` fitted to sample values ``z`` of a surface.

    ``levels="log"`` spaces colours and contours by decades above the minimum (so a valley floor
    spanning 1e-3..1e3 stays visible); ``"linear"`` spaces them evenly over the central range.
    """
    zmin = float(np.min(z))
    if levels == "log":
        h = z - zmin
        hi = float(np.quantile(h, 0.98))
        lo = max(float(np.quantile(h, 0.005)), hi * 1e-5, 1e-12)
        span = np.log10(hi + lo) - np.log10(lo)

        def log_unit(v: np.ndarray) -> np.ndarray:
            return (np.log10(np.maximum(v - zmin, 0) + lo) - np.log10(lo)) / span

        return log_unit, zmin + np.geomspace(lo, hi, 14)
    lo, hi = (float(q) for q in np.quantile(z, [0.01, 0.99]))
    width = hi - lo if hi > lo else 1.0
    return (lambda v: (v - lo) / width), np.linspace(lo, hi, 12)[1:-1]


def field_raster(surface: Surface, pm: PlaneMap, theme: Theme) -> Raster:
    """The surface as a colour field over its domain, painted once per output resolution."""
    x0, x1, y0, y1 = surface.domain
    to_unit, _ = value_scale(surface.grid(200)[2], surface.levels)
    painted: dict[tuple[int, int], tuple[np.ndarray, tuple[int, int]]] = {}

    def paint(camera: RasterCamera) -> tuple[np.ndarray, tuple[int, int]]:
        key = (camera.pixel_width, camera.pixel_height)
        if key not in painted:
            (left, bottom), (right, top) = np.round(
                camera.to_pixels(pm(np.array([[x0, y0], [x1, y1]])))).astype(int)
            cols, rows = np.meshgrid(np.arange(left, right) + 0.5, np.arange(top, bottom) + 0.5)
            xy = pm.inverse(camera.to_scene(np.stack([cols, rows], axis=-1)))
            rgb = ramp(to_unit(surface.f(xy[..., 0], xy[..., 1])), theme.field)
            painted[key] = (np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), (top, left))
        return painted[key]

    return Raster(paint)


def contour_lines(surface: Surface, pm: PlaneMap, theme: Theme, n: int = 300) -> VGroup:
    """Thin contour lines on the levels of :func:`value_scale` (contourpy on an n x n grid)."""
    X, Y, Z = surface.grid(n)
    _, levels = value_scale(Z, surface.levels)
    gen = contourpy.contour_generator(X, Y, Z)
    segments = [pm(seg) for level in levels for seg in gen.lines(level) if len(seg) > 2]
    # One path with many subpaths: one Cairo stroke instead of hundreds of mobjects.
    lines = set_polyline(VMobject(), segments)
    return lines.set_stroke(theme.contour, width=1.2, opacity=theme.contour_opacity)


# --- paths ---------------------------------------------------------------------------------------

def clip_segment(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[float, float] | None:
    """Liang-Barsky: the parameter range [t0, t1] of p + t (q - p) inside ``box``, or None."""
    x0, x1, y0, y1 = box
    d = q - p
    t0, t1 = 0.0, 1.0
    for num, den in ((p[0] - x0, -d[0]), (x1 - p[0], d[0]), (p[1] - y0, -d[1]), (y1 - p[1], d[1])):
        if den == 0:
            if num < 0:
                return None
            continue
        t = num / den
        if den < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0, t1


@dataclass(frozen=True)
class Piece:
    """A visible stretch of a path: vertices and the fractional step at each vertex."""

    steps: np.ndarray
    points: np.ndarray


def clip_path(points: np.ndarray, box: Box) -> list[Piece]:
    """Split a path (one point per step) into the pieces that lie inside ``box``."""
    pieces: list[tuple[list, list]] = []
    current = None
    for i in range(len(points) - 1):
        p, q = points[i], points[i + 1]
        hit = clip_segment(p, q, box)
        if hit is None:
            current = None
            continue
        t0, t1 = hit
        if current is None or t0 > 0:
            current = ([i + t0], [p + t0 * (q - p)])
            pieces.append(current)
        current[0].append(i + t1)
        current[1].append(p + t1 * (q - p))
        if t1 < 1:
            current = None
    if len(points) == 1 and clip_segment(points[0], points[0], box) is not None:
        pieces.append(([0.0], [points[0]]))
    return [Piece(np.array(s), np.array(p)) for s, p in pieces]


def reveal(pieces: list[Piece], step: float) -> list[np.ndarray]:
    """The parts of the clipped path drawn up to fractional ``step``."""
    out = []
    for piece in pieces:
        if step < piece.steps[0]:
            break
        k = int(np.searchsorted(piece.steps, step, side="right"))
        pts = piece.points[:k]
        if k < len(piece.steps):
            s0, s1 = piece.steps[k - 1], piece.steps[k]
            w = (step - s0) / (s1 - s0) if s1 > s0 else 0.0
            a, b = piece.points[k - 1], piece.points[k]
            pts = np.vstack([pts, a + w * (b - a)])
        out.append(pts)
    return out


def set_polyline(vm: VMobject, parts: list[np.ndarray]) -> VMobject:
    """Make ``vm`` the polyline(s) through ``parts`` (scene points), or empty."""
    vm.clear_points()
    for pts in parts:
        if len(pts) < 2:
            continue
        if vm.has_no_points():
            vm.set_points_as_corners(pts)
        else:
            vm.start_new_path(pts[0])
            vm.add_points_as_corners(pts[1:])
    return vm


MIN_HEIGHT = 0.8  # a log inset's plot is never flatter than this


class LogInset:
    """A small chart of positive series against the step, on a log scale, revealed as the clock
    runs: static frame, ticks and title drawn once; per frame only the lines grow.

    ``series``: ``(colour, values per step)``; values <= 0 sit on the bottom edge. ``guide``:
    a value marked by a dashed line (e.g. the radius that counts as "near").
    """

    def __init__(self, series: list[tuple[str, np.ndarray]], steps: int, size: tuple[float, float],
                 title: str, theme: Theme, guide: float | None = None):
        self.series, self.steps, self.title, self.theme, self.guide = (series, steps, title,
                                                                       theme, guide)
        self.width = size[0]
        self.draw(size[1])

    def draw(self, height: float) -> None:
        """The frame, ticks and title with a plot ``height`` high, and the series' points."""
        th, steps = self.theme, self.steps
        positive = np.concatenate([v[v > 0] for _, v in self.series] + [np.array([1.0])])
        lo = np.floor(np.log10(max(positive.min(), 1e-8)))
        hi = max(np.ceil(np.log10(positive.max())), lo + 1)
        ey = np.array([0.0, height / (hi - lo), 0.0])
        pm = PlaneMap(-lo * ey, np.array([self.width / steps, 0.0, 0.0]), ey)
        frame = VGroup()
        corner_ll, corner_ur = pm(np.array([0, lo])), pm(np.array([steps, hi]))
        frame.add(Line(corner_ll, [corner_ur[0], corner_ll[1], 0]),
                  Line(corner_ll, [corner_ll[0], corner_ur[1], 0]))
        frame.set_stroke(th.axis, width=1.5)
        # At most about six decade labels, and never closer than a label's height.
        every = max(1, int(np.ceil((hi - lo + 1) / 6)), int(np.ceil(0.26 / ey[1])))
        for k in range(int(lo), int(hi) + 1, every):
            frame.add(small(decade(k), th, 16).next_to(pm(np.array([0, k])), LEFT, 0.08))
        for s, edge in ((0, LEFT), (steps, RIGHT)):  # inside the corners, clear of the decades
            frame.add(small(f"{s}", th, 16).next_to(pm(np.array([s, lo])), DOWN, 0.14,
                                                    aligned_edge=edge))
        if self.guide is not None and lo <= np.log10(self.guide) <= hi:
            y = np.log10(self.guide)
            frame.add(DashedLine(pm(np.array([0, y])), pm(np.array([steps, y])),
                                 dash_length=0.06).set_stroke(th.muted, width=1.5))
        label = small(self.title, th, 18).next_to(frame, UP, buff=0.12).align_to(frame, LEFT)
        self.height = height
        self.group = VGroup(frame, label)
        self.decades = (lo, hi)
        self.to_screen = pm  # chart (step, log10 value) -> scene point; ``place`` moves it on
        self.paths = [(self.points(values), VMobject().set_stroke(color, width=2.5))
                      for color, values in self.series]

    def points(self, values: np.ndarray) -> np.ndarray:
        """A series' points on the chart, step by step (values <= 0 on the bottom edge)."""
        logs = np.minimum(np.log10(np.maximum(values, 10.0 ** self.decades[0])), self.decades[1])
        return self.to_screen(np.column_stack([np.arange(len(logs)), logs]))

    def place(self, below: VMobject, left: float, buff: float = 0.4) -> LogInset:
        """Put the inset under ``below``, its frame starting at ``left``. Where it would reach
        the caption band (a taller legend, more racers) the chart is drawn flatter, down to
        MIN_HEIGHT, and below that shrunk whole."""
        room = below.get_bottom()[1] - buff - PICTURE_BOTTOM
        if self.group.height > room:
            self.draw(max(self.height - (self.group.height - room), MIN_HEIGHT))
        before = self.group.get_corner(UL)
        self.group.next_to(below, DOWN, buff=buff).set_x(left + self.group.width / 2)
        corner = self.group.get_corner(UL)
        scale = min(1.0, room / self.group.height)
        self.group.scale(scale, about_point=corner)
        drawn = self.to_screen
        self.to_screen = lambda pts: corner + (drawn(pts) - before) * scale
        self.paths = [(self.points(values), vm)
                      for (_, values), (_, vm) in zip(self.series, self.paths, strict=True)]
        return self

    def trace(self, values: np.ndarray, color: str) -> VMobject:
        """Another series drawn whole and dashed on the same scale (a run shown for comparison,
        not raced), up to where it first leaves the chart's top (or stops being a number):
        there it ends on the top edge."""
        above = np.flatnonzero(~(values <= 10.0 ** self.decades[1]))  # NaN counts as above
        end = above[0] + 1 if above.size else len(values)
        pts = self.points(np.where(np.isfinite(values[:end]), values[:end], np.inf))
        line = set_polyline(VMobject(), [pts]).set_stroke(color, width=2.5)
        length = float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())
        return DashedVMobject(line, num_dashes=max(4, round(length / 0.12)), dashed_ratio=0.6)

    def note(self, line: str, right: float, color: str) -> Text:
        """A short line in ``color`` in the gap above the chart (``place`` leaves one between the
        chart and what is above it), at most as wide as from the chart's left to ``right``."""
        out = small(line, self.theme, 18).set_color(color)
        width = right - self.group.get_left()[0]
        if out.width > width:
            out.scale_to_fit_width(width)
        return out.next_to(self.group, UP, buff=0.16).align_to(self.group, LEFT)

    @property
    def lines(self) -> list[VMobject]:
        return [vm for _, vm in self.paths]

    def reveal(self, step: float) -> None:
        """Draw every series up to ``step`` (whole steps: a series ends where its run ended)."""
        for pts, vm in self.paths:
            set_polyline(vm, [pts[: min(int(np.floor(step)), len(pts) - 1) + 1]])


def dot_cloud(points: np.ndarray, radius: float, color: str) -> VMobject:
    """Many small dots as one mobject (one Cairo fill instead of one mobject per dot)."""
    circle = Circle(radius=radius).points
    cloud = VMobject().set_fill(color, opacity=1).set_stroke(width=0)
    cloud.set_points(np.vstack([circle + p for p in points]) if len(points) else circle[:0])
    return cloud


def small(s: str, theme: Theme, size: float = 18) -> Text:
    """Muted small text for ticks and inset titles (with a true minus sign)."""
    return laid_out(s.replace("-", "\u2212"), BODY_FONT, size, theme.muted)
