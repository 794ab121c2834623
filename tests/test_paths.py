"""The scenes' camera hands Cairo the same paths as Manim's own camera, only faster
(scenes/framework/internals/paths.py): checked on every kind of path the scenes draw. If Manim
changes how it sets a path, this fails loudly."""

import cairo
import numpy as np
import pytest
from manim import Camera, Circle, MathTex, Square, VMobject

from scenes.framework.internals.texts import PangoText
from scenes.framework.plot2d import set_polyline
from scenes.framework.raster import RasterCamera


def polyline(points):
    return VMobject().set_points_as_corners(np.asarray(points, dtype=float))


def kinds():
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.normal(size=(500, 3)) * 0.02, axis=0) * [1, 1, 0]
    closed = polyline([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]])
    pieces = set_polyline(VMobject(), [walk[:200], walk[250:] + [1, 0, 0], walk[200:201]])
    ragged = VMobject()
    ragged.points = walk[:11]  # not whole curves: the last three points are no curve
    broken = polyline(walk[:40])
    broken.points[7] = np.nan  # Manim draws a path with a non-finite point as nothing
    one_point = VMobject()
    one_point.points = np.zeros((1, 3))
    return {"circle": Circle(), "square": Square().rotate(0.3), "polyline": polyline(walk),
            "closed": closed, "subpaths": pieces, "ragged": ragged, "broken": broken,
            "one point": one_point, "empty": VMobject(),
            "text": PangoText("Adam: β₁ = 0.9, √v̂", font_size=30),
            "formula": MathTex(r"\hat m_t = \frac{m_t}{1-\beta_1^t}")}


def path_of(camera, mobject):
    ctx = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 320, 180))
    paths = []
    for part in mobject.family_members_with_points() or [mobject]:
        ctx.new_path()
        camera.set_cairo_context_path(ctx, part)
        paths.append(list(ctx.copy_path()))
    return paths


@pytest.mark.parametrize("kind", list(kinds()))
def test_the_camera_gives_cairo_the_path_manims_camera_gives(kind):
    mobject = kinds()[kind]
    ours, manims = path_of(RasterCamera(), mobject), path_of(Camera(), mobject)
    assert ours == manims
    if kind not in ("broken", "one point", "empty", "ragged"):
        assert sum(len(p) for p in ours) > 3  # a real path was compared
