"""Surfaces: analytic gradients against finite differences, critical points against scipy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from optim_core.surfaces import SURFACES, get

NAMES = list(SURFACES)


def central_difference(surface, p, h=1e-6):
    out = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        out[i] = (surface.value(p + e) - surface.value(p - e)) / (2 * h)
    return out


@pytest.mark.parametrize("name", NAMES)
@given(u=st.floats(0, 1), w=st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_gradient_matches_finite_differences(name, u, w):
    s = get(name)
    x0, x1, y0, y1 = s.domain
    p = np.array([x0 + u * (x1 - x0), y0 + w * (y1 - y0)])
    scale = max(1.0, float(np.max(np.abs(s.gradient(p)))))
    np.testing.assert_allclose(s.gradient(p), central_difference(s, p), atol=1e-5 * scale)


def hessian(surface, p, h=1e-5):
    H = np.zeros((2, 2))
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        H[i] = (surface.gradient(p + e) - surface.gradient(p - e)) / (2 * h)
    return (H + H.T) / 2


@pytest.mark.parametrize("name", NAMES)
def test_critical_points_are_where_scipy_finds_them(name):
    s = get(name)
    for c in s.critical_points:
        found = optimize.root(s.gradient, c.point + 1e-3, tol=1e-13).x
        np.testing.assert_allclose(found, c.point, atol=1e-7)
        assert s.in_domain(c.point)
        eig = np.linalg.eigvalsh(hessian(s, c.point))
        kind = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle"
        assert kind == c.kind


@pytest.mark.parametrize("name", [n for n in NAMES if get(n).minima])
def test_minima_against_scipy_minimize(name):
    s = get(name)
    for c in s.minima:
        res = optimize.minimize(s.value, c.point + 0.05, jac=s.gradient, method="BFGS",
                                options={"gtol": 1e-12})
        np.testing.assert_allclose(res.x, c.point, atol=1e-5)


def test_himmelblau_has_four_equal_minima():
    s = get("himmelblau")
    assert len(s.minima) == 4
    np.testing.assert_allclose([s.value(c.point) for c in s.minima], 0, atol=1e-20)


@pytest.mark.parametrize("name", NAMES)
def test_every_surface_is_complete(name):
    s = get(name)
    assert s.in_domain(np.array(s.start))
    assert s.latex.startswith("f(x, y) =")
    assert s.levels in ("log", "linear")
    X, Y, Z = s.grid(50)
    assert np.all(np.isfinite(Z)) and Z.shape == (50, 50)


def test_unknown_surface_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown surface 'bowl'; choose one of: rosenbrock, sad"):
        get("bowl")
