"""Control frames of every scene (Manim's frames_comparison convention).

Last frames at 854x480 (Manim's test config), compared with tests/control_data/scenes/*.npz;
regenerate with `pytest tests/test_scenes_frames.py --set_test` after a deliberate visual
change, and look at the new frames before committing them.
"""

import pytest
from conftest import typeset_with_the_run
from manim.utils.testing.frames_comparison import frames_comparison

from scenes.algorithm import AdamAlgorithm
from scenes.bias import BiasCorrection
from scenes.catalog import (
    AlgorithmParams,
    BiasParams,
    MomentParams,
    MountainParams,
    NetworkParams,
    OpeningParams,
    RaceParams,
    RecapParams,
    SaddleParams,
    TuningParams,
)
from scenes.framework.contenders import Racer
from scenes.framework.params import build
from scenes.moments import MomentAccumulation
from scenes.mountain import MountainAnalogy
from scenes.network import NetworkTraining
from scenes.opening import AdamOpening
from scenes.race import RosenbrockRace
from scenes.recap import AdamRecap
from scenes.saddle import SaddleEscape
from scenes.tuning import TuningSweep

__module_test__ = "scenes"


@pytest.fixture
def tmp_path(media_cache):
    """frames_comparison keeps Manim's LaTeX and text caches in ``tmp_path``: here the LaTeX
    folder of this process's scene builds, given the formulas the run has typeset so far, so
    a formula is typeset once per test run (``typeset_with_the_run``). The control frames'
    texts are kept there too (the builds' are in Manim's ``texts`` folder beside it)."""
    with typeset_with_the_run(media_cache / "Tex", "frames"):
        yield media_cache / "Tex"




@frames_comparison(base_scene=RosenbrockRace)
def test_race_default(scene):
    RosenbrockRace.construct(scene)


@frames_comparison(base_scene=RosenbrockRace)
def test_race_four_racers_light(scene):
    racers = {"momentum": {"optimizer": "momentum", "lr": 0.002},
              "rmsprop": {"optimizer": "rmsprop", "lr": 0.01}}
    scene.configure(build(RaceParams, {"racers": racers}, "race"), theme="light")
    RosenbrockRace.construct(scene)


@frames_comparison(base_scene=RosenbrockRace)
def test_race_diverging_racer(scene):
    params = RaceParams(racers={"sgd": Racer("sgd", lr=0.01), "adam": Racer("adam", lr=0.1)})
    scene.configure(params)
    RosenbrockRace.construct(scene)


@frames_comparison(base_scene=SaddleEscape)
def test_saddle_default(scene):
    SaddleEscape.construct(scene)


@frames_comparison(base_scene=SaddleEscape)
def test_saddle_notebook_light(scene):
    scene.configure(build(SaddleParams, {"start": [-4.0, 0.4]}, "saddle"), theme="light")
    SaddleEscape.construct(scene)


@frames_comparison(base_scene=MountainAnalogy)
def test_mountain_default(scene):
    MountainAnalogy.construct(scene)


@frames_comparison(base_scene=MountainAnalogy)
def test_mountain_custom_light(scene):
    scene.configure(MountainParams(ripple=0.5, start=-5.0, lr=0.2), theme="light")
    MountainAnalogy.construct(scene)


@frames_comparison(base_scene=MomentAccumulation)
def test_moments_default(scene):
    MomentAccumulation.construct(scene)


@frames_comparison(base_scene=MomentAccumulation)
def test_moments_custom_light(scene):
    scene.configure(MomentParams(beta1=0.8, steps=25), theme="light")
    MomentAccumulation.construct(scene)


@frames_comparison(base_scene=BiasCorrection)
def test_bias_default(scene):
    BiasCorrection.construct(scene)


@frames_comparison(base_scene=BiasCorrection)
def test_bias_custom_light(scene):
    scene.configure(BiasParams(beta2=0.99, v_steps=100), theme="light")
    BiasCorrection.construct(scene)


@frames_comparison(base_scene=AdamAlgorithm)
def test_algorithm_default(scene):
    AdamAlgorithm.construct(scene)


@frames_comparison(base_scene=AdamAlgorithm)
def test_algorithm_custom_light(scene):
    scene.configure(AlgorithmParams(surface="himmelblau", lr=0.05, steps=50), theme="light")
    AdamAlgorithm.construct(scene)


HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


@frames_comparison(base_scene=RosenbrockRace)
def test_race_on_a_formula(scene):
    scene.configure(build(RaceParams, {"surface": HIMMELBLAU, "domain": [-5, 5, -5, 5],
                                       "start": [-0.5, 0.5]}, "race"))
    RosenbrockRace.construct(scene)


@frames_comparison(base_scene=SaddleEscape)
def test_saddle_scene_on_a_formula(scene):
    racers = {"gd": {"lr": 0.01}, "adam": {"lr": 0.1}}
    scene.configure(build(SaddleParams, {"surface": HIMMELBLAU, "domain": [-5, 5, -5, 5],
                                         "start": [0.5, -0.5], "racers": racers}, "saddle"))
    SaddleEscape.construct(scene)


@frames_comparison(base_scene=TuningSweep)
def test_tuning_default(scene):
    TuningSweep.construct(scene)


@frames_comparison(base_scene=TuningSweep)
def test_tuning_on_a_formula_light(scene):
    contenders = {"sgd": {}, "adamw": {"optimizer": "adamw", "weight_decay": 0.1},
                  "momentum": {"beta1": 0.5}}
    scene.configure(build(TuningParams, {"surface": HIMMELBLAU, "domain": [-5, 5, -5, 5],
                                         "starts": 16, "steps": 200, "lr_count": 13,
                                         "optimizers": contenders}, "tuning"), theme="light")
    TuningSweep.construct(scene)


@frames_comparison(base_scene=NetworkTraining)
def test_network_default(scene):
    NetworkTraining.construct(scene)


@frames_comparison(base_scene=NetworkTraining)
def test_network_small_light(scene):
    scene.configure(build(NetworkParams, {"hidden": 8, "steps": 60, "seeds": 2,
                                          "lr_count": 9, "batch": 32}, "network"),
                    theme="light")
    NetworkTraining.construct(scene)


@frames_comparison(base_scene=AdamOpening)
def test_opening_default(scene):
    AdamOpening.construct(scene)


@frames_comparison(base_scene=AdamOpening)
def test_opening_custom_title_light(scene):
    scene.configure(build(OpeningParams, {"title": "Adam, in 10 minutes",
                                          "subtitle": "Lecture 7"}, "opening"), theme="light")
    AdamOpening.construct(scene)


@frames_comparison(base_scene=AdamRecap)
def test_recap_default(scene):
    AdamRecap.construct(scene)


@frames_comparison(base_scene=AdamRecap)
def test_recap_saddle_light(scene):
    scene.configure(build(RecapParams, {"surface": "saddle", "lr": 0.05, "steps": 60}, "recap"),
                    theme="light")
    AdamRecap.construct(scene)
