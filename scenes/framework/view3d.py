"""A small orthographic 3D view for Cairo scenes: projection, a shaded surface raster, paths.

Manim's Cairo ``ThreeDScene`` draws a ``Surface`` as one shaded polygon per face per frame
(about 1 ms a face at 480p), and nothing is cached while the camera moves. Here the surface is
painted with Pillow into a :class:`~scenes.framework.raster.Raster` at the output resolution
(painter's algorithm, faces sorted by depth; flat colours by height with fixed Lambert shading), and
everything else (box, axes, paths, markers) is ordinary 2D Manim mobjects whose points are
re-projected each frame. The view is a plain function of two angles, so an orbit is one updater.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from optim_core import Surface
from scenes.framework.palette import Theme
from scenes.framework.raster import Raster, RasterCamera
from scenes.framework.style import ramp

DEG = np.pi / 180


@dataclass
class View:
    """Orthographic camera: azimuth and elevation (degrees), scene centre and scale.

    World coordinates are the scaled box ``[-wx/2, wx/2] x [-wy/2, wy/2] x [0, wz]`` (see
    :class:`SurfaceBox`); ``project`` maps them to scene points (z = 0).
    """

    azimuth: float
    elevation: float
    center: np.ndarray
    scale: float = 1.0

    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(right, up, toward_camera)`` unit vectors in world coordinates."""
        az, el = self.azimuth * DEG, self.elevation * DEG
        d = np.array([np.cos(az) * np.cos(el), np.sin(az) * np.cos(el), np.sin(el)])
        right = np.cross([0.0, 0.0, 1.0], d)
        right /= np.linalg.norm(right)
        return right, np.cross(d, right), d

    def project(self, world: np.ndarray) -> np.ndarray:
        right, up, _ = self.axes()
        w = np.asarray(world, dtype=float)
        out = np.zeros(w.shape[:-1] + (3,))
        out[..., 0] = self.center[0] + self.scale * (w @ right)
        out[..., 1] = self.center[1] + self.scale * (w @ up)
        return out

    def depth(self, world: np.ndarray) -> np.ndarray:
        """Larger is nearer the camera."""
        return np.asarray(world, dtype=float) @ self.axes()[2]


@dataclass(frozen=True)
class SurfaceBox:
    """Data (x, y, f) to world coordinates: the domain and a clipped value range into a box."""

    domain: tuple[float, float, float, float]
    z_range: tuple[float, float]
    size: tuple[float, float, float]  # world extents (wx, wy, wz)

    @classmethod
    def fit(cls, surface: Surface, width: float, height: float) -> SurfaceBox:
        """Equal scale in x and y (at most ``width`` wide); values into ``height``.

        The value range is clipped to the 1-99 % quantiles over the domain, so one steep wall
        (Rosenbrock's corners) does not flatten the rest.
        """
        x0, x1, y0, y1 = surface.domain
        s = width / max(x1 - x0, y1 - y0)
        z = surface.grid(120)[2]
        lo, hi = (float(q) for q in np.quantile(z, [0.01, 0.99]))
        if hi <= lo:
            hi = lo + 1.0
        return cls(surface.domain, (lo, hi), ((x1 - x0) * s, (y1 - y0) * s, height))

    def world(self, x, y, z) -> np.ndarray:
        x0, x1, y0, y1 = self.domain
        wx, wy, wz = self.size
        lo, hi = self.z_range
        return np.stack(np.broadcast_arrays(
            (np.asarray(x) - (x0 + x1) / 2) / (x1 - x0) * wx,
            (np.asarray(y) - (y0 + y1) / 2) / (y1 - y0) * wy,
            (np.clip(z, lo, hi) - lo) / (hi - lo) * wz), axis=-1)

    def corners(self) -> np.ndarray:
        wx, wy, wz = self.size
        return np.array([[sx * wx / 2, sy * wy / 2, z] for sx in (-1, 1) for sy in (-1, 1)
                         for z in (0, wz)])


def fit_view(box: SurfaceBox, azimuths: np.ndarray, elevation: float, width: float,
             height: float, center: np.ndarray) -> View:
    """A view whose box fits in ``width`` x ``height`` for every azimuth of an orbit."""
    extent_x, extent_y = 0.0, 0.0
    corners = box.corners()
    for az in azimuths:
        p = View(float(az), elevation, np.zeros(3)).project(corners)
        extent_x = max(extent_x, np.ptp(p[:, 0]))
        extent_y = max(extent_y, np.ptp(p[:, 1]))
    probe = View(float(azimuths[0]), elevation, np.zeros(3)).project(corners)
    scale = min(width / extent_x, height / extent_y)
    mid = (probe.max(axis=0) + probe.min(axis=0)) / 2 * scale
    return View(float(azimuths[0]), elevation, np.asarray(center) - mid, scale)


class SurfaceMesh:
    """The surface as quads with fixed colours (height ramp times Lambert shading)."""

    LIGHT = np.array([-0.4, -0.5, 0.77])

    def __init__(self, surface: Surface, box: SurfaceBox, theme: Theme, n: tuple[int, int]):
        x0, x1, y0, y1 = surface.domain
        X, Y = np.meshgrid(np.linspace(x0, x1, n[0] + 1), np.linspace(y0, y1, n[1] + 1))
        Z = surface.f(X, Y)
        self.vertices = box.world(X, Y, Z)  # (ny+1, nx+1, 3)
        v = self.vertices
        quads = np.stack([v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]], axis=2)
        self.quads = quads.reshape(-1, 4, 3)
        normals = np.cross(quads[:, :, 2] - quads[:, :, 0], quads[:, :, 3] - quads[:, :, 1])
        normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
        light = self.LIGHT / np.linalg.norm(self.LIGHT)
        shade = 0.55 + 0.45 * np.abs(normals.reshape(-1, 3) @ light)
        height = self.quads[:, :, 2].mean(axis=1) / box.size[2]
        rgb = ramp(height, theme.surface).astype(float) * shade[:, None]
        self.fill = [tuple(c) for c in np.clip(rgb, 0, 255).astype(int)]
        self.edge = [tuple(c) for c in np.clip(rgb * 0.82, 0, 255).astype(int)]

    def raster(self, view: View) -> Raster:
        """A layer that paints the mesh as seen through ``view`` (read at paint time)."""

        def paint(camera: RasterCamera) -> tuple[np.ndarray, tuple[int, int]]:
            pix = camera.to_pixels(view.project(self.quads))  # (faces, 4, 2)
            order = np.argsort(view.depth(self.quads.mean(axis=1)))  # far to near
            left, top = np.floor(pix.reshape(-1, 2).min(axis=0)).astype(int) - 1
            right, bottom = np.ceil(pix.reshape(-1, 2).max(axis=0)).astype(int) + 1
            image = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
            draw = ImageDraw.Draw(image)
            local = (pix - [left, top]).tolist()
            for i in order:
                draw.polygon([tuple(p) for p in local[i]], fill=self.fill[i],
                             outline=self.edge[i])
            return np.asarray(image), (int(top), int(left))

        return Raster(paint)
