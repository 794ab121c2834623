"""The explainer's scenes, in order. Each is a plain Manim scene with declared parameters.

What each scene is and takes is in ``scenes.catalog`` (no Manim); this package imports a scene's
module, and Manim, only when one of its classes is asked for: ``scenes.SCENES`` (every class,
in explainer order), ``scenes.SCENE_CLASSES`` (by table name) or ``scenes.RosenbrockRace``.
"""

from __future__ import annotations

from typing import Any

from scenes.catalog import CATALOG

__all__ = ["SCENES", "SCENE_CLASSES", *(entry.name for entry in CATALOG.values())]


def __getattr__(name: str) -> Any:  # PEP 562: the classes are loaded on first use
    if name == "SCENE_CLASSES":
        value: Any = {key: entry.load() for key, entry in CATALOG.items()}
    elif name == "SCENES":
        value = tuple(entry.load() for entry in CATALOG.values())
    else:
        entry = next((e for e in CATALOG.values() if e.name == name), None)
        if entry is None:
            raise AttributeError(f"module 'scenes' has no attribute {name!r}")
        value = entry.load()
    globals()[name] = value
    return value
