"""Learning-rate sweeps: the batched call equals one run per rate, and the summaries the tuning
scene states (median with diverged runs, working rates, first divergence, widest) are exact."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import make, run, surfaces
from optim_core.sweep import Sweep, log_rates, lr_sweep, random_starts, verdict, widest
from optim_core.trajectory import run_ends


@pytest.mark.parametrize("name", ["sgd", "momentum", "rmsprop", "adam", "adamw", "amsgrad"])
def test_the_batched_sweep_equals_one_run_per_rate(name):
    surface = surfaces.get("rosenbrock")
    starts = random_starts(surface.domain, 7, seed=3)
    lrs = log_rates(1e-4, 3.0, 6)
    sweep = lr_sweep(name, lrs, starts, surface, 150)
    for i, lr in enumerate(lrs):
        traj = run(make(name, lr=lr), surface, starts, 150)
        np.testing.assert_array_equal(sweep.final[i], traj.loss[-1])  # NaN where diverged
        np.testing.assert_array_equal(sweep.diverged_at[i], traj.diverged_at)


def test_run_ends_is_the_last_row_of_run_and_its_path():
    surface = surfaces.get("beale")
    opt = make("adam", lr=np.array([[[0.01]], [[0.5]], [[50.0]]]))
    start = np.array([[1.0, 1.0], [-4.0, 4.0]])
    ends = run_ends(opt, surface, start, 80, path=True)
    traj = run(opt, surface, start, 80)
    np.testing.assert_array_equal(ends.final, traj.loss[-1])
    np.testing.assert_array_equal(ends.diverged_at, traj.diverged_at)
    np.testing.assert_array_equal(ends.position, traj.position)
    assert run_ends(opt, surface, start, 80).position is None


def test_losses_are_measured_above_the_lowest_minimum():
    surface = surfaces.resolve("(x-1)**2 + y**2 - 3")
    sweep = lr_sweep("adam", [0.1], [[0.5, 0.5]], surface, 2000)
    assert sweep.floor == pytest.approx(-3) and 0 <= sweep.final[0, 0] < 1e-6


def test_a_surface_without_a_minimum_cannot_be_swept():
    with pytest.raises(ValueError, match="no minimum"):
        lr_sweep("adam", [0.1], [[1.0, 0.1]], surfaces.get("saddle"), 10)


def test_random_starts_are_inside_the_domain_and_repeatable():
    a = random_starts((-2, 2, -1, 3), 64, seed=0)
    assert a.shape == (64, 2) and np.all(a[:, 0] >= -2) and np.all(a[:, 1] <= 3)
    np.testing.assert_array_equal(a, random_starts((-2, 2, -1, 3), 64, seed=0))


def made_up(final: list[list[float]], diverged: list[list[bool]] | None = None,
            lrs: list[float] | None = None) -> Sweep:
    final = np.array(final, dtype=float)
    div = np.array(diverged) if diverged is not None else np.isnan(final)
    lrs = np.array(lrs) if lrs is not None else log_rates(1e-3, 1.0, len(final))
    return Sweep("x", lrs, np.where(div, np.nan, final), np.where(div, 5, -1))


def test_a_diverged_run_is_worse_than_any_loss_in_the_median():
    s = made_up([[1.0, 2.0, np.nan], [1.0, np.nan, np.nan], [3.0, 4.0, 5.0]])
    assert list(s.median) == [2.0, np.inf, 4.0]
    assert list(s.diverged_share) == pytest.approx([1 / 3, 2 / 3, 0])


def test_a_verdict_states_the_working_rates_first_divergence_and_best():
    s = made_up([[1.0, 1.0], [1e-3, 2e-3], [1e-4, np.nan], [np.nan, np.nan]],
                lrs=[1e-3, 1e-2, 1e-1, 1.0])
    v = verdict(s, 0.01)
    assert v.works == (1e-2, 1e-1) and v.contiguous and v.decades == pytest.approx(1.0)
    assert v.first_diverged == 1e-1 and v.best_lr == 1e-1 and v.best_median == 1e-4
    assert verdict(s, 1e-9).works == () and verdict(s, 1e-9).decades == 0


def test_the_best_rate_is_the_lowest_median_then_the_fewest_diverged():
    s = made_up([[np.nan, np.nan, 1.0], [np.nan, np.nan, np.nan]], lrs=[0.1, 1.0])
    v = verdict(s, 0.01)
    assert v.best_lr == 0.1 and v.best_median == np.inf


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.one_of(st.floats(1e-8, 1e3), st.just(np.nan)), min_size=3,
                         max_size=3), min_size=2, max_size=8),
       st.floats(1e-6, 10))
def test_verdict_properties(rows, threshold):
    s = made_up(rows)
    v = verdict(s, threshold)
    medians = [sorted([x if np.isfinite(x) else np.inf for x in r])[1] for r in rows]
    assert v.works == tuple(float(lr) for lr, m in zip(s.lrs, medians, strict=True)
                            if m < threshold)
    assert v.best_median == min(medians)
    diverged = [lr for lr, r in zip(s.lrs, rows, strict=True) if any(np.isnan(r))]
    assert v.first_diverged == (min(diverged) if diverged else None)


def test_widest_keeps_ties_and_is_empty_when_none_works():
    a = verdict(made_up([[1e-3] * 3, [1e-3] * 3, [1.0] * 3]), 0.01)
    b = verdict(made_up([[1.0] * 3, [1e-3] * 3, [1e-3] * 3]), 0.01)
    c = verdict(made_up([[1.0] * 3, [1e-3] * 3, [1.0] * 3]), 0.01)
    assert widest([a, b, c]) == [a, b] and widest([c]) == [c]
    assert widest([verdict(made_up([[1.0] * 3, [1.0] * 3]), 0.01)]) == []
