"""The explainer's scenes, in order. Each is a plain Manim scene with declared parameters."""

from scenes.algorithm import AdamAlgorithm
from scenes.bias import BiasCorrection
from scenes.moments import MomentAccumulation
from scenes.mountain import MountainAnalogy
from scenes.network import NetworkTraining
from scenes.opening import AdamOpening
from scenes.race import RosenbrockRace
from scenes.recap import AdamRecap
from scenes.saddle import SaddleEscape
from scenes.tuning import TuningSweep

SCENES = (AdamOpening, MountainAnalogy, MomentAccumulation, BiasCorrection, AdamAlgorithm,
          RosenbrockRace, SaddleEscape, TuningSweep, NetworkTraining, AdamRecap)
SCENE_CLASSES = {cls.key: cls for cls in SCENES}  # by table name ("race"), in explainer order

__all__ = ["SCENES", "SCENE_CLASSES", "AdamAlgorithm", "AdamOpening", "AdamRecap", "BiasCorrection",
           "MomentAccumulation", "MountainAnalogy", "NetworkTraining", "RosenbrockRace",
           "SaddleEscape", "TuningSweep"]
