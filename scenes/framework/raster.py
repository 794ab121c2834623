"""Raster layers painted at the camera's own resolution, composited without resampling.

Cairo draws an ``ImageMobject`` through a Pillow bicubic transform of the whole image, every
frame it moves (tens of milliseconds at 1080p). A :class:`Raster` instead asks a paint function
for exactly the pixels it covers, at the output resolution, and the :class:`RasterCamera` copies
them into the frame. Used for the colour field of the 2D plots (painted once) and the shaded
surface of the 3D scene (painted per frame while the camera orbits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from manim import Camera, Mobject

from scenes.framework.internals.paths import set_path

# paint(camera) -> (rgba uint8 array of shape (h, w, 4), (top row, left column))
Painter = Callable[[Camera], tuple[np.ndarray, tuple[int, int]]]


class Raster(Mobject):
    """A layer of pixels produced by ``paint(camera)``; invisible to cameras that don't know it.

    Pixels with alpha 0 leave the frame untouched; any other alpha is drawn opaque (the
    painters here produce hard-edged layers, so no blending is needed).
    """

    def __init__(self, paint: Painter, **kwargs):
        super().__init__(**kwargs)
        self.paint = paint
        # Cameras skip mobjects without points; one point keeps the layer in the draw list.
        self.points = np.zeros((1, 3))

    def interpolate_color(self, mobject1: Mobject, mobject2: Mobject, alpha: float) -> None:
        """Pixels have no Manim colour: fades leave a raster as it is until it is removed."""


class RasterCamera(Camera):
    """Cairo's camera plus :class:`Raster` layers, drawn in scene order with the vectors, and
    paths handed to Cairo fast (:func:`~scenes.framework.internals.paths.set_path`)."""

    def set_cairo_context_path(self, ctx: Any, vmobject: Any) -> RasterCamera:
        set_path(self, ctx, vmobject)
        return self

    def type_or_raise(self, mobject: Mobject):
        kind = super().type_or_raise(mobject)  # also (re)builds self.display_funcs
        if isinstance(mobject, Raster):
            self.display_funcs[Raster] = self.display_rasters
            return Raster
        return kind

    def display_rasters(self, rasters: list[Raster], pixel_array: np.ndarray) -> None:
        for raster in rasters:
            rgba, (top, left) = raster.paint(self)
            h, w = rgba.shape[:2]
            # Clip the layer to the frame.
            t0, l0 = max(top, 0), max(left, 0)
            t1, l1 = min(top + h, pixel_array.shape[0]), min(left + w, pixel_array.shape[1])
            if t1 <= t0 or l1 <= l0:
                continue
            src = rgba[t0 - top:t1 - top, l0 - left:l1 - left]
            dst = pixel_array[t0:t1, l0:l1]
            np.copyto(dst, src, where=src[..., 3:4] > 0)

    def to_pixels(self, points: np.ndarray) -> np.ndarray:
        """Scene points (..., 3) to fractional pixel coordinates (column, row)."""
        points = np.asarray(points, dtype=float)
        center = self.frame_center
        col = (points[..., 0] - center[0]) / self.frame_width * self.pixel_width
        row = (center[1] - points[..., 1]) / self.frame_height * self.pixel_height
        return np.stack([col + self.pixel_width / 2, row + self.pixel_height / 2], axis=-1)

    def to_scene(self, pixels: np.ndarray) -> np.ndarray:
        """Pixel coordinates (..., 2) back to scene points (..., 3) with z = 0."""
        pixels = np.asarray(pixels, dtype=float)
        center = self.frame_center
        x = (pixels[..., 0] - self.pixel_width / 2) / self.pixel_width * self.frame_width
        y = (self.pixel_height / 2 - pixels[..., 1]) / self.pixel_height * self.frame_height
        return np.stack([x + center[0], y + center[1], np.zeros_like(x)], axis=-1)
