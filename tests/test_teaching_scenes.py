"""The four teaching scenes: what they state is what the core computes."""

import numpy as np
import pytest

from optim_core import accumulate, adam, adam_uncorrected, momentum, rmsprop, run, sgd
from optim_core.surfaces import get, mountain
from scenes.algorithm import AdamAlgorithm, AlgorithmParams, eps_cap_lines
from scenes.bias import BiasCorrection, BiasParams, step_ratio, stream
from scenes.moments import (
    MomentAccumulation,
    MomentParams,
    gradient_stream,
    memory,
    overshoot,
    zigzags,
)
from scenes.mountain import MountainAnalogy, MountainParams, lr_verdict, valley_facts


def test_mountain_minima_are_where_the_slope_vanishes():
    land = mountain()
    for c in land.critical_points:
        assert abs(land.gradient(np.array([c.x, 0.0]))[0]) < 1e-9
    assert len(land.minima) == 3


def test_mountain_story_the_hiker_stops_in_a_local_valley():
    p = MountainParams()
    land = mountain(p.bowl, p.ripple, p.frequency)
    walk = run(sgd(p.lr), land, (p.start, 0.0), p.steps)
    assert np.all(walk.position[:, 1] == 0)  # the embedding keeps y exactly 0
    near, j_near, low, j_low = valley_facts(land, walk.position[-1, 0])
    assert abs(walk.position[-1, 0] - near) < 1e-6 and j_near > j_low + 0.5 and near != low


def test_learning_rate_verdicts_follow_the_iterates():
    p = MountainParams()
    land = mountain()
    floor = valley_facts(land, 3.3)[0]
    small = run(sgd(p.lr_small), land, (p.start, 0.0), p.steps).position[:, 0]
    large = run(sgd(p.lr_large), land, (p.start, 0.0), p.steps).position[:, 0]
    assert lr_verdict(small, floor, 30, None).startswith("after 30 steps still ")
    crossings = int(np.count_nonzero(np.diff(np.sign(large - floor)) != 0))
    assert lr_verdict(large, floor, 30, None).startswith(f"jumped across the valley floor "
                                                           f"{crossings} times")
    assert lr_verdict(large, floor, 30, 4) == "diverged at step 4"


def test_moment_lines_are_adams_own_state():
    p = MomentParams()
    g = gradient_stream(p)
    acc = accumulate(adam(beta1=p.beta1, beta2=p.beta2), g)
    m = 0.0
    for t, gt in enumerate(g, start=1):
        m = p.beta1 * m + (1 - p.beta1) * gt
        assert acc["m"][t] == pytest.approx(m, rel=1e-12, abs=1e-15)
    assert memory(0.9) == pytest.approx(10) and memory(0.999) == pytest.approx(1000)


def test_rosenbrock_stream_is_a_real_run():
    g = gradient_stream(MomentParams(source="rosenbrock", steps=20))
    traj = run(adam(0.1), get("rosenbrock"), (-1.5, -1.0), 20)
    np.testing.assert_array_equal(g, traj.grad[:20, 0])


def test_ravine_claims():
    p, ravine = MomentParams(), get("ravine")
    s = run(sgd(p.lr_sgd), ravine, ravine.start, p.ravine_steps)
    m = run(momentum(p.lr_momentum, p.beta1), ravine, ravine.start, p.ravine_steps)
    r = run(rmsprop(p.lr_rmsprop, p.rmsprop_beta2), ravine, ravine.start, p.ravine_steps)
    assert zigzags(m) < zigzags(s)  # the heavy ball smooths the zig-zag
    assert overshoot(m, ravine) > 0.1 > overshoot(s, ravine)  # and keeps rolling on flat ground
    u = np.abs(r.update[1])
    assert u[0] == pytest.approx(u[1], rel=1e-6)  # RMSProp: equal first steps per coordinate
    assert abs(s.update[1, 1]) > 5 * abs(s.update[1, 0])


def test_uncorrected_step_ratio_peaks_near_step_ten():
    ratio = step_ratio(BiasParams(), stream(BiasParams()))
    assert ratio[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-5)  # 3.16x at step 1
    t = np.arange(1, len(ratio) + 1)
    np.testing.assert_allclose(ratio, (1 - 0.9**t) / np.sqrt(1 - 0.999**t), rtol=1e-5)
    assert 10 <= int(np.argmax(ratio)) + 1 <= 13 and 6.4 < ratio.max() < 6.7


def test_step_one_worked_numbers():
    g = stream(BiasParams())
    acc = accumulate(adam(), g)
    assert acc["m"][1] == pytest.approx(0.1 * g[0])
    assert acc["m_hat"][1] == pytest.approx(g[0], rel=1e-14)
    raw = accumulate(adam_uncorrected(), g)
    assert "m_hat" not in raw


def test_eps_caption_depends_on_the_run():
    assert "changed the steps by less than 1 %" in eps_cap_lines(0.1, 1e-8, 0.5)[1]
    assert "shortens the step noticeably" in eps_cap_lines(0.1, 1e-2, 0.5)[1]
    assert "α / ε = 1e+07" in eps_cap_lines(0.1, 1e-8, 0.5)[0]


@pytest.mark.parametrize(("cls", "params"), [
    (MountainAnalogy, MountainParams(lr=0.2, ripple=0.5, start=-5.0)),
    (MomentAccumulation, MomentParams(beta1=0.8, source="rosenbrock", steps=25)),
    (BiasCorrection, BiasParams(beta1=0.8, beta2=0.99, v_steps=100)),
    (AdamAlgorithm, AlgorithmParams(surface="himmelblau", lr=0.05, steps=50)),
])
def test_scenes_render_with_custom_parameters(cls, params, construct):
    construct(cls, params)
