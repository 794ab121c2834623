"""The values behind the captions: a scene built without rendering a frame, its beats and
facts as JSON (``render.py facts``)."""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np


def build_facts(scene_key: str, params: Any, theme: str) -> dict[str, Any]:
    """Build a scene without rendering a frame (Manim's dry run) and return its beats (id,
    caption, start and end in seconds) and the values its captions were computed from."""
    from manim import tempconfig

    from scenes import SCENE_CLASSES

    cls = SCENE_CLASSES[scene_key]
    with tempfile.TemporaryDirectory(prefix="facts-") as media, tempconfig({
            "dry_run": True, "pixel_width": 160, "pixel_height": 90, "frame_rate": 15,
            "media_dir": media, "disable_caching": True, "verbosity": "ERROR",
            "progress_bar": "none"}):
        scene = cls(params=params, theme=theme)
        scene.render()
    return {"scene": scene_key, "title": cls.title,
            "beats": [{"id": f"{scene_key}/{b.name}", "caption": b.caption,
                       "start": round(b.start, 3), "end": round(b.end, 3)}
                      for b in scene.beats],
            "facts": jsonable(scene.facts)}


def jsonable(value: Any) -> Any:
    """Facts as JSON values: dataclasses as objects, arrays as lists, NaN and inf as null."""
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value

