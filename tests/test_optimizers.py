"""Optimizer maths: hand-worked values, equivalences, properties, an independent reference."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import OPTIMIZERS, make, run
from optim_core import optimizers as O
from optim_core.optimizers import REGISTRY
from optim_core.surfaces import SURFACES, get

ROSEN = get("rosenbrock")
finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


def reference_adam(grad_fn, p, steps, lr, b1=0.9, b2=0.999, eps=1e-8, correct=True):
    """Adam written out per step in plain Python floats: the independent reference."""
    p = [float(c) for c in p]
    m, v, path = [0.0, 0.0], [0.0, 0.0], [tuple(p)]
    for t in range(1, steps + 1):
        g = grad_fn(*p)
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            mh = m[i] / (1 - b1**t) if correct else m[i]
            vh = v[i] / (1 - b2**t) if correct else v[i]
            p[i] -= lr * mh / (math.sqrt(vh) + eps)
        path.append(tuple(p))
    return np.array(path)


@pytest.mark.parametrize("correct", [True, False])
def test_adam_matches_independent_reference(correct):
    opt = O.adam(0.05) if correct else O.adam_uncorrected(0.05)
    traj = run(opt, ROSEN, (-1.2, 1.5), 300)
    ref = reference_adam(lambda x, y: [float(c) for c in ROSEN.df(x, y)], (-1.2, 1.5), 300,
                         0.05, correct=correct)
    np.testing.assert_allclose(traj.position, ref, rtol=1e-12, atol=1e-12)


def test_first_notebook_experiment():
    adam = run(O.adam(0.1), ROSEN, (-1.5, -1.0), 2000)
    sgd = run(O.sgd(0.001), ROSEN, (-1.5, -1.0), 2000)
    np.testing.assert_allclose(adam.position[-1], [0.94287, 0.88884], atol=1e-5)
    np.testing.assert_allclose(sgd.position[-1], [0.83261, 0.69251], atol=1e-5)
    for t in (adam, sgd):
        assert np.min(np.linalg.norm(t.position - [1, 1], axis=-1)) > 0.05


def test_adam_first_step_hand_worked():
    traj = run(O.adam(0.1), ROSEN, (-1.5, -1.0), 1)
    g0 = traj.grad[0]  # (-1955, -650)
    np.testing.assert_allclose(g0, [-1955.0, -650.0])
    np.testing.assert_allclose(traj.state["m"][1], 0.1 * g0)
    np.testing.assert_allclose(traj.state["m_hat"][1], g0, rtol=1e-15)
    np.testing.assert_allclose(traj.state["v_hat"][1], g0**2, rtol=1e-12)
    np.testing.assert_allclose(np.abs(traj.update[1]), 0.1, rtol=1e-9)


@given(gx=finite, gy=finite, lr=st.floats(1e-4, 1.0), eps=st.floats(1e-10, 1e-2))
def test_adam_first_step_is_lr_g_over_abs_g_plus_eps(gx, gy, lr, eps):
    opt = O.adam(lr, eps=eps)
    g = np.array([gx, gy])
    updates, _ = opt.update(g, opt.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_allclose(updates, -lr * g / (np.abs(g) + eps), rtol=1e-12)


@given(scale=st.floats(0.01, 100.0), start=st.tuples(st.floats(-1.8, 1.8), st.floats(-0.8, 2.8)))
@settings(max_examples=30, deadline=None)
def test_adam_invariant_to_loss_scale(scale, start):
    """Multiplying the loss by c > 0 leaves Adam's path unchanged, up to eps: exactly so (to
    rounding) when eps is scaled by c too, since m_hat, sqrt(v_hat) and eps all scale by c."""
    bigger = replace(ROSEN, f=lambda x, y: scale * ROSEN.f(x, y),
                     df=lambda x, y: tuple(scale * c for c in ROSEN.df(x, y)))
    base = run(O.adam(0.01, eps=1e-8), ROSEN, start, 50)
    np.testing.assert_allclose(run(O.adam(0.01, eps=scale * 1e-8), bigger, start, 50).position,
                               base.position, rtol=1e-9, atol=1e-12)


def test_momentum_with_zero_beta_is_sgd():
    a = run(O.momentum(0.001, beta1=0.0), ROSEN, (-1.5, -1.0), 200)
    b = run(O.sgd(0.001), ROSEN, (-1.5, -1.0), 200)
    np.testing.assert_array_equal(a.position, b.position)


def test_momentum_is_ema_form():
    traj = run(O.momentum(0.01, 0.8), ROSEN, (0.0, 0.0), 3)
    m = traj.state["m"]
    np.testing.assert_allclose(m[2], 0.8 * m[1] + 0.2 * traj.grad[1])
    np.testing.assert_allclose(traj.update[2], -0.01 * m[2])


def test_rmsprop_formula():
    traj = run(O.rmsprop(0.01, beta2=0.9, eps=1e-6), ROSEN, (0.5, 0.5), 2)
    v1 = 0.1 * traj.grad[0] ** 2
    np.testing.assert_allclose(traj.state["v"][1], v1)
    np.testing.assert_allclose(traj.update[1], -0.01 * traj.grad[0] / (np.sqrt(v1) + 1e-6))


def test_uncorrected_first_step_is_3_2_times_larger():
    g = np.array([30.0, -200.0])
    full = O.adam(0.01)
    raw = O.adam_uncorrected(0.01)
    u_full, _ = full.update(g, full.init(np.zeros(2)), np.zeros(2))
    u_raw, _ = raw.update(g, raw.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_allclose(u_raw / u_full, 0.1 / math.sqrt(0.001), rtol=1e-6)
    assert "m_hat" not in raw.observe(raw.init(np.zeros(2)))


def test_adamw_decay_is_decoupled():
    opt = O.adamw(0.1, weight_decay=0.5)
    p = np.array([2.0, -4.0])
    u, _ = opt.update(np.zeros(2), opt.init(p), p)
    np.testing.assert_allclose(u, -0.1 * 0.5 * p)


def test_amsgrad_uses_running_max():
    opt = O.amsgrad(0.1, beta2=0.5)
    s = opt.init(np.zeros(1))
    _, s = opt.update(np.array([10.0]), s, np.zeros(1))
    _, s = opt.update(np.array([0.0]), s, np.zeros(1))
    assert s.v_max[0] == pytest.approx(50.0) and s.v[0] == pytest.approx(25.0)


def test_batch_equals_one_by_one():
    starts = np.array([[-1.5, -1.0], [0.0, 2.0], [1.5, 1.5]])
    lrs = np.array([[0.01], [0.05], [0.1]])
    batch = run(O.adam(lrs), ROSEN, starts, 100)
    for i in range(3):
        single = run(O.adam(float(lrs[i, 0])), ROSEN, starts[i], 100)
        np.testing.assert_array_equal(batch[i].position, single.position)
        np.testing.assert_array_equal(batch[i].state["v_hat"], single.state["v_hat"])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface", [n for n in SURFACES if get(n).minima])  # saddle: unbounded
def test_every_optimizer_descends_every_surface(name, surface):
    s = get(surface)
    traj = run(make(name, lr=1e-4 if name in ("sgd", "momentum") else 1e-2), s, s.start, 300)
    assert not traj.diverged
    assert traj.loss[-1] < traj.loss[0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lr": 0.0}, "lr=0.0 is out of range: lr must be in (0, 100]"),
    ({"lr": 101.0}, "lr=101.0 is out of range: lr must be in (0, 100]"),
    ({"lr": float("nan")}, "lr=nan is out of range"),
    ({"lr": float("inf")}, "lr=inf is out of range"),
    ({"beta1": 1.0}, "beta1=1.0 is out of range: beta1 must be in [0, 1)"),
    ({"beta2": -0.1}, "beta2=-0.1 is out of range: beta2 must be in [0, 1)"),
    ({"eps": 0.0}, "eps=0.0 is out of range: eps must be in (0, 1]"),
])
def test_hyperparameters_are_range_checked(kwargs, message):
    import re

    with pytest.raises(ValueError, match=re.escape(message)):
        O.adam(**kwargs)


def test_make_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'; choose one of: sgd"):
        make("adagrad")
    with pytest.raises(ValueError, match="optimizer sgd takes no beta1"):
        make("sgd", beta1=0.9)



@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam", "adamw", "amsgrad"])
def test_against_torch_optim(name):
    torch = pytest.importorskip("torch")
    torch_opt = {
        "sgd": lambda p: torch.optim.SGD([p], lr=1e-3),
        "rmsprop": lambda p: torch.optim.RMSprop([p], lr=1e-2, alpha=0.99, eps=1e-8),
        "adam": lambda p: torch.optim.Adam([p], lr=0.05),
        "adamw": lambda p: torch.optim.AdamW([p], lr=0.05, weight_decay=0.1),
        "amsgrad": lambda p: torch.optim.Adam([p], lr=0.05, amsgrad=True),
    }[name]
    ours = {"sgd": O.sgd(1e-3), "rmsprop": O.rmsprop(1e-2), "adam": O.adam(0.05),
            "adamw": O.adamw(0.05, weight_decay=0.1), "amsgrad": O.amsgrad(0.05)}[name]
    p = torch.tensor([-1.5, -1.0], dtype=torch.float64, requires_grad=True)
    opt = torch_opt(p)
    path = [p.detach().numpy().copy()]
    for _ in range(200):
        opt.zero_grad()
        x, y = p[0], p[1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    np.testing.assert_allclose(run(ours, ROSEN, (-1.5, -1.0), 200).position, np.array(path),
                               rtol=1e-9, atol=1e-12)


NADAM = '''
import sys

import numpy as np

from optim_core.optimizers import AdamState, Optimizer, _checked, register


@register("NAdam")
def nadam(lr: float = 0.002, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
    """NAdam without momentum decay (Dozat 2016): Adam with a Nesterov look-ahead."""
    _checked(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def init(p):
        zeros = np.zeros_like(p, dtype=float)
        return AdamState(0, zeros, zeros)

    def update(g, s, p):
        t = s.t + 1
        m = beta1 * s.m + (1 - beta1) * g
        v = beta2 * s.v + (1 - beta2) * g * g
        ahead = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1 ** t)
        return -lr * ahead / (np.sqrt(v / (1 - beta2 ** t)) + eps), AdamState(t, m, v)

    return Optimizer("nadam", {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}, init,
                     update, lambda s: {"m": s.m, "v": s.v})


import render  # noqa: E402 - after the registration, as a module of optim_core would be

sys.exit(render.main(sys.argv[1:]))
'''


@pytest.mark.parametrize(("argv", "shows"), [
    (["params", "race"], "sgd, momentum, rmsprop, adam, adam_uncorrected, adamw, amsgrad, nadam"),
    (["trace", "--optimizer", "nadam", "--steps", "3", "--lr", "0.01"], "step,x,y,loss"),
    (["facts", "race", "--set", "race.racers.n.optimizer=nadam", "--set", "race.steps=50"],
     "Gradient descent, Adam and NAdam start together"),
    (["trace", "--optimizer", "nadam", "--eps", "5"], "eps must be in (0, 1]"),
])
def test_an_optimizer_registered_in_the_core_alone_appears_everywhere(argv, shows):
    """One declaration (the factory with @register) gives trace, racers and params."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", NADAM, *argv], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert shows in proc.stdout + proc.stderr, proc.stderr[-500:]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_scale_free_is_declared_exactly_for_the_optimizers_whose_steps_ignore_the_loss_scale(name):
    """``register(..., scale_free=True)`` (the captions' "why" relies on it): the loss times c
    leaves the steps alone (ε aside) for those, and changes them for the others."""
    from optim_core import accumulate

    spec = REGISTRY[name]
    hyper = {"eps": 1e-12} if "eps" in spec.defaults else {}
    grads = np.random.default_rng(0).normal(size=(20, 2)) + 0.5
    steps = [accumulate(spec.factory(**hyper), c * grads)["update"][1:] for c in (1.0, 100.0)]
    assert np.allclose(steps[1], steps[0], rtol=1e-5) == spec.scale_free
