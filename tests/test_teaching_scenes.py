"""The four teaching scenes: what they state is what the core computes."""

import numpy as np
import pytest

from optim_core import accumulate, adam, adam_uncorrected, momentum, rmsprop, run, sgd
from optim_core.analysis import step_ratio
from optim_core.surfaces import get, mountain
from scenes.algorithm import AdamAlgorithm, eps_captions
from scenes.bias import BiasCorrection, stream
from scenes.catalog import AlgorithmParams, BiasParams, MomentParams, MountainParams
from scenes.moments import MomentAccumulation, gradient_stream, memory, overshoot, zigzags
from scenes.mountain import MountainAnalogy, Walk, limit_captions, lr_caption, nearest_floor


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
    theta = float(walk.position[-1, 0])
    assert abs(theta - nearest_floor(land, theta)) < 1e-6
    first, lowest = limit_captions(land, p.steps, theta, float(walk.grad[-1, 0]))
    assert first == ("After 30 steps the hiker rests on a valley floor at θ = 3.35, slope "
                     "below 10⁻¹².")
    assert lowest.startswith("The lowest valley, at θ = -1.12, is 0.649 lower")


def test_mountain_off_the_floor_says_how_far_not_lowest_valley():
    """Issue 10, case 2: start=1, lr=0.05 ends 0.774 from the lowest floor, not in it."""
    land = mountain()
    walk = run(sgd(0.05), land, (1.0, 0.0), 30)
    theta = float(walk.position[-1, 0])
    (caption,) = limit_captions(land, 30, theta, float(walk.grad[-1, 0]))
    gap = abs(theta - nearest_floor(land, theta))
    assert gap > 0.5 and caption.endswith(f"{gap:.3g} from a valley floor.")
    assert "lowest" not in caption and "rests" not in caption


def test_learning_rate_verdicts_follow_the_walks():
    """Issue 10, case 7: 1.2 converges (closer than 0.05 ends), so it is not called too large;
    the default large rate (1.5) bounces for ever and ends farther than the small one."""
    p, land = MountainParams(), mountain()
    walks = {lr: Walk.of(run(sgd(lr), land, (p.start, 0.0), p.steps), land, lr)
             for lr in (p.lr, p.lr_small, p.lr_large, 1.2)}
    main = walks[p.lr]
    assert lr_caption(walks[p.lr_small], main).startswith("α = 0.05 is too small: after 30 "
                                                           "steps still 0.097")
    large = walks[p.lr_large]
    assert large.gap > walks[p.lr_small].gap and large.crossings > 20
    assert lr_caption(large, main).startswith(f"α = 1.5 is too large: {large.crossings} jumps")
    assert walks[1.2].gap < 0.01
    assert lr_caption(walks[1.2], main).startswith("α = 1.2 also works")
    diverged = Walk(5.0, 3, 3, 0.0, float("nan"), 0)
    assert lr_caption(diverged, main) == "α = 5 is too large: the walk diverges at step 3."


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
    from scenes.moments import ravine_captions

    p, ravine = MomentParams(), get("ravine")
    s = run(sgd(p.lr_sgd), ravine, ravine.start, p.ravine_steps)
    m = run(momentum(p.lr_momentum, p.beta1), ravine, ravine.start, p.ravine_steps)
    r = run(rmsprop(p.lr_rmsprop, p.rmsprop_beta2), ravine, ravine.start, p.ravine_steps)
    assert zigzags(m) < zigzags(s)  # the heavy ball smooths the zig-zag
    assert overshoot(m, ravine) > 0.1 > overshoot(s, ravine)  # and keeps rolling on flat ground
    u = np.abs(r.update[1])
    assert u[0] == pytest.approx(u[1], rel=1e-6)  # RMSProp: equal first steps per coordinate
    assert abs(s.update[1, 1]) > 5 * abs(s.update[1, 0])
    lines = ravine_captions(p.ravine_steps, zigzags(m), zigzags(s), overshoot(m, ravine),
                            np.abs(s.update[1]), u)
    ratio = abs(s.update[1, 1] / s.update[1, 0])
    # Issue 10, case 5: the step sizes per coordinate, with the numbers, not "big/small".
    assert (f"Gradient descent's first step is {ratio:.3g}x longer across the ravine than along "
            "it.") in lines
    assert lines[-1].endswith("its first step is as long across as along.")


def test_uncorrected_step_ratio_peaks_near_step_ten():
    p = BiasParams()
    ratio = step_ratio(p.beta1, p.beta2, stream(p))
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
    assert "changed the steps by under 1 %" in eps_captions(0.1, 1e-8, 0.5)[2]
    assert "shortens the step noticeably" in eps_captions(0.1, 1e-2, 0.5)[2]
    assert "α / ε = 10⁷" in eps_captions(0.1, 1e-8, 0.5)[1]


def test_noisy_is_said_only_of_the_noisy_stream(construct):
    """Issue 10, case 4."""
    scene = construct(MomentAccumulation, MomentParams(source="rosenbrock", steps=25))
    assert not any("noisy" in b.caption for b in scene.beats)
    scene = construct(MomentAccumulation, MomentParams(steps=25))
    assert "noisy" in scene.beats[0].caption


def test_algorithm_makes_no_claim_about_betas_used_elsewhere(construct):
    """Issue 10, case 3: the bullet list ("... ran every Adam in this video") is gone."""
    scene = construct(AdamAlgorithm, AlgorithmParams(steps=20))
    assert not any("every Adam" in b.caption for b in scene.beats)


@pytest.mark.parametrize(("cls", "params"), [
    (MountainAnalogy, MountainParams(lr=0.2, ripple=0.5, start=-5.0)),
    (MomentAccumulation, MomentParams(beta1=0.8, source="rosenbrock", steps=25)),
    (BiasCorrection, BiasParams(beta1=0.8, beta2=0.99, v_steps=100)),
    (AdamAlgorithm, AlgorithmParams(surface="himmelblau", lr=0.05, steps=50)),
])
def test_scenes_render_with_custom_parameters(cls, params, construct):
    construct(cls, params)


def test_a_range_without_a_valley_is_refused():
    from scenes.framework.params import ParamError, build

    with pytest.raises(ParamError, match="no valley floor"):
        build(MountainParams, {"bowl": 0.0117, "ripple": 3.0, "frequency": 0.21875}, "mountain")


def test_the_hikers_art_is_read_from_a_private_copy(tmp_path):
    """Manim's SVG reader writes a changed copy next to the file it reads and deletes it: in
    a package installed read-only that fails, and two renders reading at once delete each
    other's copy. The mountain reads its art from a copy of its own, drawn the same."""
    import shutil

    from manim import SVGMobject, tempconfig

    from scenes.mountain import HIKER_SVG, drawing

    copy = tmp_path / "hiker.svg"  # Manim's reader, as it was used, on a copy of our own
    shutil.copyfile(HIKER_SVG, copy)
    with tempconfig({"media_dir": str(tmp_path)}):
        ours = drawing(HIKER_SVG, height=0.75)
        direct = SVGMobject(str(copy), height=0.75, use_svg_cache=False)
    assert ours.file_name.parent != HIKER_SVG.parent and not ours.file_name.exists()
    assert len(ours.family_members_with_points()) == len(direct.family_members_with_points())
    for a, b in zip(ours.family_members_with_points(), direct.family_members_with_points(),
                    strict=True):
        assert np.array_equal(a.points, b.points)
