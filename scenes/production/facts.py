"""The values behind the captions: a scene built without rendering a frame, its beats and
facts as JSON (``render.py facts``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SIZE = (160, 90)  # the frame facts are built at: nothing is drawn that anyone sees


def build_facts(scene_key: str, params: Any, theme: str, cache: Path | None = None,
                fps: int = 60) -> dict[str, Any]:
    """Build a scene without drawing a frame (Manim's dry run, animations skipped) and return
    its beats (id, caption, start and end in seconds, as a render at ``fps`` frames a second
    times them) and the values its captions were computed from. ``cache``: the scene's shared
    Manim cache (``OUT/.cache/media/<scene>``), whose typeset formulas are reused and added
    to, as a render does; None typesets afresh."""
    from manim import tempconfig

    from scenes.catalog import CATALOG
    from scenes.production.jobs import CACHED, keep_cache, seed_cache, shared_cache

    cls = CATALOG[scene_key].load()
    with tempfile.TemporaryDirectory(prefix="facts-") as media, tempconfig({
            "dry_run": True, "pixel_width": SIZE[0], "pixel_height": SIZE[1], "frame_rate": fps,
            "media_dir": media, "disable_caching": True, "verbosity": "ERROR",
            "progress_bar": "none"}):
        shared = {} if cache is None else {sub: shared_cache(cache, sub) for sub in CACHED}
        for sub, folder in shared.items():
            seed_cache(folder, Path(media) / sub)
        scene = cls(params=params, theme=theme, skip_animations=True)
        scene.render()
        try:
            for sub, folder in shared.items():
                keep_cache(Path(media) / sub, folder)
        except OSError:  # an output folder that cannot be written: facts need no cache
            pass
    return scene_facts(scene)


def scene_facts(scene: Any) -> dict[str, Any]:
    """A built scene's beats and facts, as ``render.py facts`` prints them."""
    return {"scene": scene.key, "title": scene.title,
            "beats": [{"id": f"{scene.key}/{b.name}", "caption": b.caption,
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

