"""A tiny numpy optimizer core: pure optimizers, test surfaces and recorded trajectories.

No Manim here: the scenes read every number they show from this package.
"""

from .optimizers import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    REGISTRY,
    Optimizer,
    adam,
    adam_uncorrected,
    adamw,
    amsgrad,
    make,
    momentum,
    register,
    rmsprop,
    sgd,
)
from .surfaces import SURFACES, CriticalPoint, Surface
from .trajectory import (
    Trajectory,
    accumulate,
    interpolate,
    interpolator,
    run,
    sample_frames,
    step_at,
)

__all__ = [
    "HYPERPARAMETERS", "OPTIMIZERS", "REGISTRY", "SURFACES", "CriticalPoint", "Optimizer",
    "Surface", "Trajectory", "accumulate",
    "adam", "adam_uncorrected", "adamw", "amsgrad", "interpolate", "interpolator", "make",
    "momentum", "register", "rmsprop", "run", "sample_frames", "sgd", "step_at",
]
