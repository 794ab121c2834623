"""Trajectories: recording conventions, divergence, frame mapping, CSV/JSON round trips."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import Trajectory, interpolate, run, sample_frames, step_at
from optim_core import optimizers as O
from optim_core.surfaces import get

ROSEN = get("rosenbrock")


def test_rows_follow_the_documented_convention():
    t = run(O.adam(0.1), ROSEN, (-1.5, -1.0), 5)
    assert t.steps == 5 and t.position.shape == (6, 2) and t.loss.shape == (6,)
    np.testing.assert_array_equal(t.position[0], [-1.5, -1.0])
    np.testing.assert_array_equal(t.update[0], [0, 0])
    np.testing.assert_allclose(t.update[1:], np.diff(t.position, axis=0), atol=1e-15)
    np.testing.assert_allclose(t.loss, ROSEN.value(t.position))
    np.testing.assert_allclose(t.grad, ROSEN.gradient(t.position))
    np.testing.assert_allclose(t.state["m"][1], 0.1 * t.grad[0])
    assert list(t.state) == ["m", "v", "m_hat", "v_hat"]


def test_divergence_is_recorded_not_raised():
    t = run(O.sgd(0.01), ROSEN, (-1.5, -1.0), 2000)
    assert t.diverged and int(t.diverged_at) == 3
    assert t.valid_steps == 3
    assert np.all(np.isfinite(t.position[:3])) and np.all(np.isnan(t.position[3:]))


def test_divergence_does_not_spread_through_a_batch():
    lrs = np.array([[0.001], [0.01], [0.0005]])
    t = run(O.sgd(lrs), ROSEN, (-1.5, -1.0), 500)
    np.testing.assert_array_equal(t.diverged_at, [-1, 3, -1])
    for i in (0, 2):
        assert np.all(np.isfinite(t[i].position))
        alone = run(O.sgd(float(lrs[i, 0])), ROSEN, (-1.5, -1.0), 500)
        np.testing.assert_array_equal(t[i].position, alone.position)


@given(x=st.floats(-1e200, 1e200), y=st.floats(-1e200, 1e200), lr=st.floats(1e-6, 100),
       name=st.sampled_from(["sgd", "momentum", "rmsprop", "adam"]))
@settings(max_examples=60, deadline=None)
def test_finite_inputs_give_finite_or_flagged_outputs(x, y, lr, name):
    t = run(O.OPTIMIZERS[name](lr=lr), ROSEN, (x, y), 30)
    n = t.valid_steps
    assert np.all(np.isfinite(t.position[:n])) and np.all(np.isfinite(t.loss[:n]))
    if t.diverged:
        assert np.all(np.isnan(t.position[n:]))
    else:
        assert n == 31


def test_step_at_warps():
    for warp in ("linear", "ease", "log"):
        s = step_at(np.linspace(0, 1, 101), 2000, warp)
        assert s[0] == 0 and s[-1] == pytest.approx(2000) and np.all(np.diff(s) > 0)
    # the log warp spends equal time per decade: the first 10 steps get a third of the video
    assert step_at(1 / 3, 999, "log") == pytest.approx(9, rel=1e-9)
    with pytest.raises(ValueError, match="unknown warp 'fast'; choose one of: linear, ease, log"):
        step_at(0.5, 10, "fast")


def test_interpolate_hits_iterates_and_is_linear_between():
    t = run(O.adam(0.1), ROSEN, (-1.5, -1.0), 10)
    np.testing.assert_allclose(interpolate(t.position, [0, 3, 10]), t.position[[0, 3, 10]])
    np.testing.assert_allclose(interpolate(t.position, 2.5), t.position[2:4].mean(axis=0))


def test_sample_frames_stops_at_divergence():
    t = run(O.sgd(0.01), ROSEN, (-1.5, -1.0), 100)
    steps, pts = sample_frames(t, 30, "linear")
    assert steps[-1] == 2 and np.all(np.isfinite(pts))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_round_trip(fmt, tmp_path):
    t = run(O.amsgrad(0.05), ROSEN, (0.3, -0.4), 40)
    path = tmp_path / f"t.{fmt}"
    t.save(path)
    back = (Trajectory.from_json if fmt == "json" else Trajectory.from_csv)(path.read_text())
    for name in t.columns():
        np.testing.assert_array_equal(back.columns()[name], t.columns()[name])
    assert list(back.state) == ["m", "v", "m_hat", "v_hat", "v_max"]


def test_columns_need_a_single_run():
    t = run(O.sgd(0.001), ROSEN, np.zeros((2, 2)), 3)
    with pytest.raises(ValueError, match="single run"):
        t.columns()
