"""Long paths handed to Cairo in about half of Manim's Python time.

Manim 0.22's ``Camera.set_cairo_context_path`` reads each curve's six coordinates one by one
out of a NumPy array, which costs more than Cairo's own ``curve_to``. A render of the race at
480p15 hands Cairo about a million curves (contour lines, trails, and the caption band, which
Manim redraws in every frame because it is above everything that moves), so that reading was
close to half of drawing. :func:`set_path` makes the same calls with the same numbers (the
subpaths Manim's own ``get_subpath_split_indices_from_points`` finds, moved to with
``move_to``, each curve by ``curve_to`` and closed where Manim closes it), reading the
coordinates as one Python list per subpath: a path of 3,000 curves takes 0.9 ms instead of 1.6
ms (a glyph's path of a few curves, about a tenth less). ``tests/test_paths.py`` checks that
Cairo is given the same path as by Manim's method for every kind of path the scenes draw, and
fails loudly if Manim changes it.
"""

from __future__ import annotations

from typing import Any

import cairo


def set_path(camera: Any, ctx: cairo.Context, vmobject: Any) -> None:
    """Make ``vmobject``'s points (as ``camera`` displays them) Cairo's current path."""
    points = camera.transform_points_pre_display(vmobject, vmobject.points)
    if len(points) == 0:
        return
    per_curve = vmobject.n_points_per_cubic_curve
    ctx.new_path()
    xy = points[:, :2]
    curve_to = ctx.curve_to
    for start, end in vmobject.get_subpath_split_indices_from_points(points, n_dims=2).tolist():
        curves = (end - start) // per_curve
        if not curves:
            continue
        ctx.new_sub_path()
        ctx.move_to(*xy[start].tolist())
        handles = xy[start:start + curves * per_curve].reshape(curves, per_curve, 2)[:, 1:]
        for coordinates in handles.reshape(curves, 2 * (per_curve - 1)).tolist():
            curve_to(*coordinates)
        if vmobject.consider_points_equals_2d(points[start], points[end - 1]):
            ctx.close_path()
