"""The scenes' camera hands Cairo the same paths as Manim's own camera, only faster
(scenes/framework/internals/paths.py): checked on every kind of path the scenes draw and on
odd ones. If Manim changes how it sets a path, this fails loudly."""

import cairo
import numpy as np
import pytest
from manim import Camera, Circle, MathTex, Square, VMobject, tempconfig

from scenes.framework.internals.texts import PangoText, laid_out
from scenes.framework.plot2d import set_polyline
from scenes.framework.raster import RasterCamera
from scenes.framework.style import BODY_FONT

RNG = np.random.default_rng(1)
WALK = np.cumsum(RNG.normal(size=(500, 3)) * 0.02, axis=0) * [1, 1, 0]


def polyline(points):
    return VMobject().set_points_as_corners(np.asarray(points, dtype=float))


def with_points(points):
    mobject = VMobject()
    mobject.points = np.asarray(points, dtype=float)
    return mobject


def broken():
    mobject = polyline(WALK[:40])
    mobject.points[7] = np.nan  # Manim draws a path with a non-finite point as nothing
    return mobject


def ragged_tail():
    """Not whole curves, the last points continuing the last curve: they are no curve, but
    the subpath closes on them, not on the last curve's end."""
    square = Square().points
    return with_points(np.vstack([square, square[:3]]))


def depth():
    """A closed path whose curves meet, and whose ends meet, in x and y but not in z: the
    camera draws it as one closed path (Manim compares points in 2D here)."""
    points = polyline([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]]).points.copy()
    points[4::4, 2] = 1e-3
    points[0, 2] = -1e-3
    return points


KINDS = {
    "circle": Circle,
    "square": lambda: Square().rotate(0.3),
    "polyline": lambda: polyline(WALK),
    "closed": lambda: polyline([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]]),
    "subpaths": lambda: set_polyline(VMobject(), [WALK[:200], WALK[250:] + [1, 0, 0],
                                                  WALK[200:201]]),
    "depth": lambda: with_points(depth()),
    "ragged": lambda: with_points(WALK[:11]),
    "ragged tail": ragged_tail,
    "broken": broken,
    "one point": lambda: with_points(np.zeros((1, 3))),
    "empty": VMobject,
    "letters": lambda: PangoText("Adam: β₁ = 0.9, √v̂", font_size=30),
    "laid out": lambda: laid_out("Gradient descent at α = 0.1", BODY_FONT, 24, "#FFFFFF"),
    "formula": lambda: MathTex(r"\hat m_t = \frac{m_t}{1-\beta_1^t}"),
}
EMPTY = {"broken", "one point", "empty", "ragged"}


def paths_of(camera, mobject):
    """The path ``camera`` hands Cairo for each part of ``mobject``, each set over a path
    already in the context (as drawing one part after another does)."""
    ctx = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 320, 180))
    paths = []
    for part in mobject.family_members_with_points() or [mobject]:
        ctx.move_to(1, 2)
        ctx.line_to(3, 4)
        camera.set_cairo_context_path(ctx, part)
        paths.append(list(ctx.copy_path()))
    return paths


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_camera_gives_cairo_the_path_manims_camera_gives(kind, tmp_path):
    with tempconfig({"media_dir": str(tmp_path)}):
        mobject = KINDS[kind]()
    ours, manims = paths_of(RasterCamera(), mobject), paths_of(Camera(), mobject)
    assert ours == manims
    if kind not in EMPTY:
        assert sum(len(p) for p in ours) > 3  # a real path was compared
