"""The explainer's scenes, in order, without Manim: each one's table name, class, title, one-line
description and parameter declaration (``render.py list``, ``params``, ``schema`` and every
config check read them here, in a tenth of the time loading Manim takes; a scene's class is
imported only when it is built). A scene class names its entry by ``key``; the rest it takes
from here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from optim_core import Surface, surfaces
from optim_core.network import DEFAULT_LR, Setup
from optim_core.surfaces import mountain
from optim_core.sweep import log_rates
from scenes.framework.contenders import (
    DOMAIN_DEFAULT,
    DOMAIN_DOC,
    SURFACE_DOC,
    Contender,
    Racer,
    SurfaceChoice,
    check_racers,
    racing_params,
    visible,
)
from scenes.framework.params import param, shown


@dataclass(frozen=True)
class Entry:
    """One scene of the explainer."""

    key: str  # its table name in TOML and --set, and its module: scenes/<key>.py
    name: str  # its class, as Manim's command line names it
    title: str
    description: str
    Params: type  # its parameter declaration (scenes.framework.params)

    def load(self) -> Any:
        """The scene's class (imports its module, and Manim)."""
        return getattr(importlib.import_module(f"scenes.{self.key}"), self.name)


# --- opening ----------------------------------------------------------------------------------


MAX_TITLE = 40


@dataclass(frozen=True)
class OpeningParams:
    title: str = param("Adam, animated", "the video's title, on the first frame")
    subtitle: str = param("How the most used optimizer in deep learning takes its steps",
                          "the line under the title")

    def check(self) -> None:
        for name in ("title", "subtitle"):
            value = getattr(self, name)
            if not value.isprintable() or not visible(value):
                raise ValueError(f"{name} {shown(value)}: give a printable, visible line")
            if len(value) > 2 * MAX_TITLE:
                raise ValueError(f"{name}: {len(value)} characters; at most {2 * MAX_TITLE} fit")


# --- mountain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MountainParams:
    bowl: float = param(0.06, "curvature of the range as a whole (J = bowl θ² + ...)",
                        interval="(0, 1]")
    ripple: float = param(0.9, "height of the ripples that make the valleys", interval="[0, 3]")
    frequency: float = param(1.3, "how close together the valleys are", interval="(0, 5]")
    start: float = param(4.5, "where the hiker starts (θ)", interval="[-5.5, 5.5]")
    lr: float = param(0.4, "learning rate α of the main walk", interval="(0, 10]")
    lr_small: float = param(0.05, "a smaller learning rate to compare (judged from its walk)",
                            interval="(0, 10]")
    lr_large: float = param(1.5, "a larger learning rate to compare (judged from its walk)",
                            interval="(0, 10]")
    steps: int = param(30, "gradient-descent steps of each walk", interval="[1, 500]")
    fog: float = param(1.2, "how far the hiker can see (scene units)", interval="[0.3, 10]")

    def check(self) -> None:
        land = mountain(self.bowl, self.ripple, self.frequency)
        if not land.minima:
            raise ValueError(f"bowl {self.bowl:g}, ripple {self.ripple:g} and frequency "
                             f"{self.frequency:g} make a range with no valley floor in "
                             f"{list(land.domain[:2])}; raise bowl or frequency")


# --- moments ----------------------------------------------------------------------------------


SOURCES = ("noisy", "rosenbrock")


@dataclass(frozen=True)
class MomentParams:
    beta1: float = param(0.9, "first-moment decay β₁", interval="[0, 1)")
    beta2: float = param(0.999, "second-moment decay β₂", interval="[0, 1)")
    steps: int = param(40, "gradients in the stream", interval="[5, 200]")
    source: str = param("noisy", "the gradient stream: noisy around a trend (seeded), or the "
                        "x-gradients of Adam on Rosenbrock", choices=SOURCES)
    seed: int = param(7, "noise seed", interval="[0, 1000000]")
    trend: float = param(1.0, "mean of the noisy stream", interval="[-10, 10]")
    noise: float = param(1.0, "spread of the noisy stream", interval="[0, 10]")
    ravine_steps: int = param(40, "steps of the momentum and RMSProp runs", interval="[2, 500]")
    lr_sgd: float = param(0.09, "SGD's learning rate on the ravine", interval="(0, 1]")
    lr_momentum: float = param(0.09, "Momentum's learning rate on the ravine", interval="(0, 1]")
    lr_rmsprop: float = param(0.05, "RMSProp's learning rate on the ravine", interval="(0, 1]")
    rmsprop_beta2: float = param(0.9, "RMSProp's decay on the ravine", interval="[0, 1)")


# --- bias -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BiasParams:
    beta1: float = param(0.9, "first-moment decay β₁", interval="[0, 1)")
    beta2: float = param(0.999, "second-moment decay β₂", interval="[0, 1)")
    m_steps: int = param(60, "steps shown for m", interval="[5, 2000]")
    v_steps: int = param(400, "steps shown for v (β₂ = 0.999 lags for hundreds)",
                         interval="[5, 5000]")
    seed: int = param(3, "noise seed of the gradient stream", interval="[0, 1000000]")
    trend: float = param(1.0, "mean gradient", interval="[-10, 10]")
    noise: float = param(0.3, "spread of the gradients", interval="[0, 10]")
    lr: float = param(0.1, "learning rate of the Rosenbrock comparison", interval="(0, 1]")
    race_steps: int = param(40, "steps of the Rosenbrock comparison", interval="[1, 2000]")


# --- algorithm --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlgorithmParams(SurfaceChoice):
    surface: str = param("rosenbrock", SURFACE_DOC)
    domain: tuple[float, float, float, float] | None = param(None, DOMAIN_DOC,
                                                             none_means=DOMAIN_DEFAULT)
    start: tuple[float, float] | None = param(None, "start point [x, y]",
                                              none_means="the surface's start")
    lr: float = param(0.1, "learning rate α", interval="(0, 10]")
    beta1: float = param(0.9, "first-moment decay β₁", interval="[0, 1)")
    beta2: float = param(0.999, "second-moment decay β₂", interval="[0, 1)")
    eps: float = param(1e-8, "ε", interval="(0, 1]")
    detailed_steps: int = param(2, "steps shown line by line", interval="[1, 5]")
    steps: int = param(200, "steps run in total (the rest fast)", interval="[5, 20000]")


# --- race -------------------------------------------------------------------------------------


def default_race_racers() -> dict[str, Racer]:
    return {"sgd": Racer("sgd", lr=0.001, label="Gradient descent"), "adam": Racer("adam", lr=0.1)}


RaceParams = racing_params(
    "RaceParams", __name__, "race", surface="rosenbrock", start_hint="(-1.5, -1)", steps=2000,
    max_steps=20000, race_time=12.0, warp="ease",
    warp_doc="time warp: 'ease' and 'log' slow the first steps down", racers=default_race_racers,
    extra=(("tolerance", float, param(0.05, "distance to a minimum that counts as reaching it",
                                      interval="(0, 1]")),))


# --- saddle -----------------------------------------------------------------------------------


def default_saddle_racers() -> dict[str, Racer]:
    return {"gd": Racer("sgd", lr=0.1, label="Gradient descent"),
            "adam": Racer("adam", lr=0.3)}


SaddleParams = racing_params(
    "SaddleParams", __name__, "saddle", surface="saddle", start_hint="(-4, 0.001)", steps=50,
    max_steps=2000, race_time=8.0, warp="linear", warp_doc="time warp of the race clock",
    racers=default_saddle_racers, extra=(
        ("radius", float, param(1.0, "distance from the saddle point that counts as 'near'",
                                interval="(0, 100]")),
        ("orbit", float, param(50.0, "degrees the camera orbits during the race",
                               interval="[0, 360]")),
        ("azimuth", float, param(-50.0, "camera azimuth in degrees (-90 looks along +y)",
                                 interval="[-360, 360]")),
        ("elevation", float, param(40.0, "camera elevation above the x-y plane, degrees",
                                   interval="[5, 89]"))))


# --- tuning -----------------------------------------------------------------------------------


def default_contenders() -> dict[str, Contender]:
    """On a surface the plain optimizer steps with the whole gradient: gradient descent."""
    return {"sgd": Contender("sgd", label="Gradient descent"),
            **{name: Contender(name) for name in ("momentum", "rmsprop", "adam")}}


def default_network_contenders() -> dict[str, Contender]:
    """On the network each step's gradient comes from one batch: stochastic, SGD."""
    return {name: Contender(name) for name in ("sgd", "momentum", "rmsprop", "adam")}


@dataclass(frozen=True)
class TuningParams:
    surface: str = param("rosenbrock", SURFACE_DOC)
    domain: tuple[float, float, float, float] | None = param(None, DOMAIN_DOC,
                                                            none_means=DOMAIN_DEFAULT)
    starts: int = param(64, "start points, drawn uniformly over the domain", interval="[1, 256]")
    seed: int = param(0, "random seed of the start points", interval="[0, 1000000]")
    steps: int = param(1000, "updates per run", interval="[1, 5000]")
    lr_min: float = param(1e-5, "lowest learning rate of the sweep", interval="(0, 100]")
    lr_max: float = param(10.0, "highest learning rate of the sweep", interval="(0, 100]")
    lr_count: int = param(25, "learning rates, evenly spaced on a log scale", interval="[2, 61]")
    threshold: float = param(0.01, "an optimizer works at a rate where its median final loss "
                             "(above the lowest minimum) is below this", interval="(0, 1000000]")
    fill_time: float = param(4.0, "seconds the chart takes to fill in", interval="[0.5, 30]")
    loss_scale: float = param(100.0, "the loss is multiplied by this and by its inverse, "
                              "and the surface shrunk this many times, to show whose working "
                              "rates move with the loss's scale and with the distances",
                              interval="[2, 10000]")
    optimizers: dict[str, Contender] = param(
        default_factory=default_contenders,
        doc="the optimizers, by name: tuning.optimizers.NAME.KEY (the sweep sets lr)")

    def resolved(self) -> Surface:
        return surfaces.resolve(self.surface, self.domain)

    def rates(self) -> np.ndarray:
        return log_rates(self.lr_min, self.lr_max, self.lr_count)

    def check(self) -> None:
        surface = self.resolved()  # raises ValueError with the formula's problem
        if not surface.minima:
            raise ValueError(f"surface {self.surface}: no minimum in the domain "
                             f"{list(surface.domain)}, and the sweep measures the loss above "
                             "the lowest one; pick a surface or domain with a minimum")
        check_racers(self.optimizers)
        if self.lr_min >= self.lr_max:
            raise ValueError(f"lr_min {self.lr_min:g} must be below lr_max {self.lr_max:g}")


# --- network ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkParams:
    hidden: int = param(32, "hidden tanh units of the network", interval="[1, 256]")
    steps: int = param(300, "updates per training", interval="[1, 3000]")
    batch: int = param(64, "training examples per update", interval="[1, 512]")
    seeds: int = param(3, "initialisation seeds per learning rate", interval="[1, 16]")
    data_seed: int = param(0, "seed of the train/test split and of the batch order (the same "
                           "for every optimizer, rate and seed)", interval="[0, 1000000]")
    lr_min: float = param(1e-5, "lowest learning rate of the sweep", interval="(0, 100]")
    lr_max: float = param(10.0, "highest learning rate of the sweep", interval="(0, 100]")
    lr_count: int = param(25, "learning rates, evenly spaced on a log scale", interval="[2, 61]")
    threshold: float = param(0.9, "an optimizer works at a rate where its median test accuracy "
                             "(over the seeds) is above this", interval="(0, 1)")
    reference_lr: float = param(DEFAULT_LR, "the learning rate marked on the chart (0.001: deep "
                                "learning's usual default, PyTorch's for Adam)",
                                interval="(0, 100]")
    fill_time: float = param(4.0, "seconds the chart takes to fill in", interval="[0.5, 30]")
    optimizers: dict[str, Contender] = param(
        default_factory=default_network_contenders,
        doc="the optimizers, by name: network.optimizers.NAME.KEY (the sweep sets lr)")

    def rates(self) -> np.ndarray:
        return log_rates(self.lr_min, self.lr_max, self.lr_count)

    def setup(self, reduction: str = "mean", eval_every: int = 0) -> Setup:
        return Setup(hidden=self.hidden, steps=self.steps, batch=self.batch,
                     reduction=reduction, data_seed=self.data_seed, eval_every=eval_every)

    def check(self) -> None:
        check_racers(self.optimizers)
        if self.lr_min >= self.lr_max:
            raise ValueError(f"lr_min {self.lr_min:g} must be below lr_max {self.lr_max:g}")
        train_size = self.setup().train_size()
        if self.batch > train_size:
            raise ValueError(f"batch {self.batch}: the training set has {train_size} images")


# --- recap ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecapParams(SurfaceChoice):
    surface: str = param("rosenbrock", SURFACE_DOC)
    domain: tuple[float, float, float, float] | None = param(None, DOMAIN_DOC,
                                                             none_means=DOMAIN_DEFAULT)
    start: tuple[float, float] | None = param(None, "start point [x, y] of the measured run",
                                              none_means="the surface's start")
    lr: float = param(0.1, "learning rate α of the measured run", interval="(0, 10]")
    steps: int = param(300, "steps of the measured run", interval="[5, 20000]")


CATALOG: dict[str, Entry] = {entry.key: entry for entry in (
    Entry("opening", "AdamOpening", "Adam, animated",
          "What Adam is, the four ideas it is made of, and the road map of the video",
          OpeningParams),
    Entry("mountain", "MountainAnalogy", "A hiker in the fog: gradient descent",
          "Gradient descent as a hiker in fog who only feels the slope underfoot",
          MountainParams),
    Entry("moments", "MomentAccumulation", "Moments: averaging the gradients",
          "Adam's first and second moments as moving averages; momentum and RMSProp",
          MomentParams),
    Entry("bias", "BiasCorrection", "Bias correction: starting from zero",
          "Why m and v start biased toward zero, and how m_hat and v_hat fix it",
          BiasParams),
    Entry("algorithm", "AdamAlgorithm", "The full algorithm, with live numbers",
          "Algorithm 1 of Kingma & Ba lit line by line on a real run; the role of ε",
          AlgorithmParams),
    Entry("race", "RosenbrockRace", "The race on the Rosenbrock valley",
          "SGD against Adam (and any other racers) on a 2D loss surface, with live loss",
          RaceParams),
    Entry("saddle", "SaddleEscape", "Escaping a saddle point",
          "Gradient descent against Adam near the saddle of x^2 - y^2, in 3D, with orbit",
          SaddleParams),
    Entry("tuning", "TuningSweep", "Learning rates: which α works, and why",
          "every optimizer from many starts at every learning rate of a sweep",
          TuningParams),
    Entry("network", "NetworkTraining", "Adam on a real network",
          "a digit classifier trained by every optimizer at every learning rate",
          NetworkParams),
    Entry("recap", "AdamRecap", "Recap: Adam in five lines",
          ("Algorithm 1 with each line's idea, the rule to remember measured on a run, "
           "and what α, β₁, β₂ and ε control"),
          RecapParams),

)}
