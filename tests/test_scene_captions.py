"""The scenes say what the data says: captions and readouts against the optimizer core."""

import numpy as np
import pytest

from optim_core import adam, run, sgd
from optim_core.surfaces import get
from scenes.catalog import RaceParams, SaddleParams
from scenes.framework.contenders import Racer
from scenes.framework.params import build
from scenes.framework.style import format_number
from scenes.race import RosenbrockRace
from scenes.saddle import SaddleEscape

ROSEN, SADDLE = get("rosenbrock"), get("saddle")


@pytest.fixture(scope="module")
def default_race(construct):
    return construct(RosenbrockRace, RaceParams())


def test_default_race_caption_matches_the_first_notebook(default_race):
    a = run(adam(0.1), ROSEN, (-1.5, -1.0), 2000)
    s = run(sgd(0.001), ROSEN, (-1.5, -1.0), 2000)
    ratio = s.loss[-1] / a.loss[-1]
    assert 8 < ratio < 12  # "about 10x lower", as the data says
    lines = default_race.caption_lines
    assert f"Adam ends {ratio:.3g}x lower in loss than Gradient descent." in lines
    assert "No racer came within 0.05 of the minimum in 2000 steps." in lines
    d_sgd, d_adam = (np.linalg.norm(t.position[-1] - 1) for t in (s, a))
    assert f"Gradient descent ends {d_sgd:.3g} from (1, 1) after 2000 steps." in lines
    assert f"Adam ends {d_adam:.3g} from (1, 1) after 2000 steps." in lines
    assert not any("Adam reached" in line for line in lines)


def test_the_clock_sentence_follows_the_warp(construct):
    """Issue 10, case 1: a linear clock is not described as slowed down."""
    beats = construct(RosenbrockRace, RaceParams(warp="linear", steps=200)).beats
    assert any(b.caption == "200 steps each; the clock runs at one pace." for b in beats)
    assert not any("slower" in b.caption for b in beats)


def test_readouts_show_the_trajectory(default_race):
    a = run(adam(0.1), ROSEN, (-1.5, -1.0), 2000)
    s = run(sgd(0.001), ROSEN, (-1.5, -1.0), 2000)
    sgd_readout, adam_readout, step = default_race.readouts
    assert sgd_readout.text_ == format_number(s.loss[-1]) == "0.02807"
    assert adam_readout.text_ == format_number(a.loss[-1]) == "0.003266"
    assert step.text_ == "2000 / 2000"


def test_reaching_the_minimum_is_stated_with_the_step(construct):
    params = RaceParams(tolerance=0.2)
    lines = construct(RosenbrockRace, params).caption_lines
    a = run(adam(0.1), ROSEN, (-1.5, -1.0), 2000)
    first = int(np.flatnonzero(np.linalg.norm(a.position - 1, axis=1) <= 0.2)[0])
    assert f"Adam reached (1, 1) (within 0.2) at step {first}." in lines
    d_sgd = np.linalg.norm(run(sgd(0.001), ROSEN, (-1.5, -1.0), 2000).position[-1] - 1)
    assert f"Gradient descent ends {d_sgd:.3g} from (1, 1) after 2000 steps." in lines


def test_a_diverging_racer_is_reported_and_the_scene_finishes(construct):
    params = RaceParams(racers={"sgd": Racer("sgd", lr=0.01), "adam": Racer("adam", lr=0.1)})
    scene = construct(RosenbrockRace, params)
    assert "SGD diverged at step 3." in scene.caption_lines
    assert "Adam did not come within 0.05 of the minimum in 2000 steps." in scene.caption_lines


def test_saddle_default_story_is_true(construct):
    lines = construct(SaddleEscape, SaddleParams()).caption_lines
    gd = run(sgd(0.1), SADDLE, (-4.0, 0.001), 50)
    ad = run(adam(0.3), SADDLE, (-4.0, 0.001), 50)
    near = [int(np.sum(np.linalg.norm(t.position, axis=1) <= 1.0)) for t in (gd, ad)]
    out = [int(np.flatnonzero(~SADDLE.in_domain(t.position))[0]) for t in (gd, ad)]
    assert near[0] > 20 and near[1] == 0 and out[1] < 15 < out[0]
    assert (f"Gradient descent: {near[0]} steps within 1 of the saddle; "
            f"left the plot at step {out[0]}.") in lines
    assert f"Adam left the plot first, {out[0] - out[1]} steps before Gradient descent." in lines


def test_saddle_with_the_notebooks_numbers_does_not_claim_a_trap(construct):
    """The second notebook says gradient descent gets trapped; its own numbers say otherwise."""
    params = build(SaddleParams, {"start": [-4.0, 0.4]}, "saddle")
    lines = construct(SaddleEscape, params).caption_lines
    assert "Gradient descent: 0 steps within 1 of the saddle; left the plot at step 11." in lines
    assert "Adam: 0 steps within 1 of the saddle; left the plot at step 8." in lines
    # Issue 10, case 6: no fixed sentence claims that plain gradients crawl here.
    scene = construct(SaddleEscape, params)
    assert not any("crawl" in b.caption for b in scene.beats)
    assert "Adam left the plot first, 3 steps before Gradient descent." in lines


def test_saddle_caption_names_whoever_escapes_first(construct):
    # A slow Adam against a brisk gradient descent: the caption must follow the data.
    params = build(SaddleParams, {"start": [-4.0, 0.4], "racers": {"adam": {"lr": 0.05}}},
                   "saddle")
    lines = construct(SaddleEscape, params).caption_lines
    assert any(line.startswith(("Gradient descent left the plot first",
                                "Only Gradient descent left the plot")) for line in lines)


def test_race_on_a_formula_reaches_a_found_minimum(construct):
    surface = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
    params = build(RaceParams, {"surface": surface, "domain": [-5, 5, -5, 5],
                                "start": [-0.5, 0.5]}, "race")
    lines = construct(RosenbrockRace, params).caption_lines
    traj = run(adam(0.1), params.resolved(), (-0.5, 0.5), 2000)
    end = traj.position[-1]
    minimum = min(params.resolved().minima, key=lambda c: np.hypot(c.x - end[0], c.y - end[1]))
    reached = f"Adam reached ({minimum.x:.3g}, {minimum.y:.3g})"
    assert any(line.startswith(reached) for line in lines)


def test_negative_losses_are_compared_by_their_difference_not_a_ratio():
    from optim_core.analysis import outcomes
    from scenes.framework.palette import THEMES
    from scenes.framework.racers import run_racers
    from scenes.race import outcome_captions

    racers = {"gd": Racer("sgd", lr=0.1, label="GD"), "adam": Racer("adam", lr=0.3)}
    runs = run_racers(racers, SADDLE, (-4.0, 0.001), 30, THEMES["dark"])
    lines = outcome_captions(outcomes(runs, SADDLE, 0.05), 30, 0.05)
    losses = sorted((r.traj.loss[r.traj.valid_steps - 1], r.name) for r in runs)
    (lo, best), (hi, runner) = losses
    assert lo < 0 and f"{best} ends {hi - lo:.3g} lower in loss than {runner}." in lines
    assert not any("level" in line or "x lower" in line for line in lines)


def test_network_scene_says_what_its_trainings_say(construct):
    """The network scene's captions, built from the scene, against the core's raw arrays."""
    from optim_core.network import Setup, train
    from optim_core.sweep import log_rates
    from scenes.catalog import NetworkParams
    from scenes.framework.numbers import readable

    params = build(NetworkParams, {"hidden": 8, "steps": 60, "seeds": 2, "lr_count": 9,
                                   "batch": 32}, "network")
    from scenes.network import NetworkTraining

    scene = construct(NetworkTraining, params)
    captions = {b.name: b.caption for b in scene.beats}
    lrs = log_rates(1e-5, 10, 9)
    setup = Setup(hidden=8, steps=60, batch=32)
    for key in ("sgd", "momentum", "rmsprop", "adam"):
        acc = np.sort(train(key, lrs, [0, 1], setup).test_accuracy[-1], axis=1)[:, -1]
        works = np.flatnonzero(acc > 0.9)  # the median of 2 seeds: the better one
        line = captions[f"verdict-{key}"]
        if len(works) > 1:
            assert f"from α = {readable(lrs[works[0]])} to {readable(lrs[works[-1]])}" in line
        elif len(works) == 1:
            assert f"only at α = {readable(lrs[works[0]])}" in line
        else:
            assert "never" in line
    assert captions["network"] == ("A network: 64 pixels → 8 tanh units → 10 scores: "
                                   f"{64 * 8 + 8 + 8 * 10 + 10} weights.")
    assert captions["scale"].endswith("gradients 32x larger.")
    assert scene.facts["summed_gradient_ratio"] == pytest.approx(32)
