"""The explainer's scenes, in order. Each is a plain Manim scene with declared parameters."""

from scenes.race import RosenbrockRace
from scenes.saddle import SaddleEscape

SCENES = (RosenbrockRace, SaddleEscape)

__all__ = ["SCENES", "RosenbrockRace", "SaddleEscape"]
