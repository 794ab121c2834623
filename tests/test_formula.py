"""Custom surfaces from formulas: parsing, exact gradients, critical points, hostile input."""

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optim_core import formula, run, sgd
from optim_core.formula import FormulaError, compile_tree, diff, latex, parse, typeset_depth
from optim_core.surfaces import get, resolve
from render import main

HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


def test_himmelblau_from_a_formula_matches_the_builtin():
    s = resolve(HIMMELBLAU, (-5, 5, -5, 5))
    ref = get("himmelblau")
    pts = np.random.default_rng(1).uniform(-5, 5, (50, 2))
    np.testing.assert_allclose(s.value(pts), ref.value(pts), rtol=1e-12)
    np.testing.assert_allclose(s.gradient(pts), ref.gradient(pts), rtol=1e-10, atol=1e-9)
    found = sorted((round(c.x, 6), round(c.y, 6)) for c in s.minima)
    known = sorted((round(c.x, 6), round(c.y, 6)) for c in ref.minima)
    assert found == known
    kinds = sorted(c.kind for c in s.critical_points)
    assert kinds == sorted(c.kind for c in ref.critical_points)


def test_latex_is_generated_from_the_tree():
    assert resolve("x**2 + 10*y**2").latex == r"f(x, y) = x^{2} + 10\,y^{2}"
    assert latex(parse("sqrt(abs(x)) + y/2")) == r"\sqrt{\left|x\right|} + \frac{y}{2}"
    assert resolve("-(x + y)**2 + sin(x)").latex.startswith(r"f(x, y) = -\left(x + y\right)^{2}")


def test_precedence_follows_python():
    f = compile_tree(parse("-x**2 + 2**-y*3 - x/2/2"))
    x, y = 1.5, -0.5
    assert float(f(x, y)) == pytest.approx(-x**2 + 2**-y * 3 - x / 2 / 2)


def test_named_domain_override_and_defaults():
    assert resolve("rosenbrock", (-1, 1, -1, 1)).domain == (-1, 1, -1, 1)
    s = resolve("x**2 + y**2")
    assert s.domain == formula.DEFAULT_DOMAIN and s.in_domain(np.array(s.start))


@pytest.mark.parametrize(("text", "message"), [
    ("x +", "unexpected end"),
    ("(x + y", "expected ')'"),
    ("z * x", "unknown name 'z'"),
    ("x.real", "attribute access is not allowed"),
    ("x[0]", "subscripts are not allowed"),
    ("lambda: x", "unexpected character ':'"),
    ("lambda x", "'lambda' is not allowed"),
    ("[x for x in (1, 2)]", "subscripts are not allowed"),
    ("'x'", "strings are not allowed"),
    ("exec(x)", "unknown function 'exec'"),
    ("__class__ + x", "names with __ are not allowed"),
    ("x" + " + x" * 100, "too long"),
    ("(" * 45 + "x" + ")" * 45, "nested too deeply"),
    ("1e9 * x", "too large"),
    ("log(-1 - x**2 - y**2)", "not defined everywhere on the domain"),
    ("2 + 3", "does not depend on x or y"),
    ("x ^ 2", "use ** for powers"),
    ("max(x, y)", "commas are not allowed"),
    ("max(x)", "unknown function 'max'"),
])
def test_bad_formulas_are_refused_with_a_reason(text, message):
    with pytest.raises(FormulaError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("*", r"\*")):
        formula.surface(text)


INJECTIONS = [
    "__import__('os').system('touch pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('pwned', 'w').write('x')",
    "eval('1')", "exec('import os')", "compile('1', 'f', 'eval')",
    "globals()", "x; import os", "x if __import__('os') else y",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(lambda: __import__('os'))()", "getattr(x, 'real')",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_rejected_without_side_effects(text, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["trace", "--surface", text, "--steps", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("render.py: error: --surface: ")
    assert list(Path(tmp_path).iterdir()) == [] and not os.path.exists("pwned")


def test_the_parser_never_evaluates_text():
    source = Path(formula.__file__).read_text()
    assert not re.search(r"(?<![\w.])(eval|exec|compile|__import__)\(", source)
    assert not re.search(r"(sympify|parse_expr)\(|import ast|from ast|import sympy", source)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_random_text_is_a_clean_error_or_a_surface(text):
    try:
        s = formula.surface(text)
    except FormulaError as exc:
        assert str(exc).startswith("formula") and "\n" not in str(exc)
    else:
        assert s.latex.startswith("f(x, y) =")


LEAVES = st.one_of(st.sampled_from(["x", "y", "pi"]),
                   st.floats(0.1, 5).map(lambda v: f"{v:.3g}"))


def _expr(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, st.integers(1, 3)).map(lambda t: f"({t[0]})**{t[1]}"),
        st.tuples(st.sampled_from(["sin", "cos", "tanh", "atan", "exp"]), children)
        .map(lambda t: f"{t[0]}({t[1]} / 4)"),
        children.map(lambda c: f"-{c}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _expr, max_leaves=8)


@given(EXPRESSIONS, st.floats(-2, 2), st.floats(-2, 2))
@settings(max_examples=200, deadline=None)
def test_valid_trees_have_finite_values_and_exact_gradients(text, x, y):
    tree = parse(text)
    f = compile_tree(tree)
    with np.errstate(all="ignore"):
        value = float(f(x, y))
        assume(math.isfinite(value) and abs(value) < 1e8)
        for var, d in (("x", (1e-6, 0)), ("y", (0, 1e-6))):
            exact = float(compile_tree(diff(tree, var))(x, y))
            numeric = (float(f(x + d[0], y + d[1])) - float(f(x - d[0], y - d[1]))) / 2e-6
            assert math.isfinite(exact)
            assert exact == pytest.approx(numeric, rel=1e-4, abs=1e-4 * max(1.0, abs(value)))


def test_optimizers_run_on_a_custom_surface():
    s = resolve("x**2 + 10*y**2")
    traj = run(sgd(0.05), s, (2.0, 1.0), 200)
    assert np.linalg.norm(traj.position[-1]) < 1e-3


def test_trace_with_a_formula_and_domain(capsys):
    assert main(["trace", "--surface", "x**2 + 10*y**2", "--domain", "-3", "3", "-2", "2",
                 "--start", "1", "1", "--optimizer", "sgd", "--lr", "0.01", "--steps", "3"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[1].startswith("0,1.0,1.0,11.0,2.0,20.0")


@pytest.mark.parametrize(("argv", "message"), [
    (["--surface", "x +"], "unexpected end"),
    (["--surface", "bowl"], "unknown surface 'bowl': not one of rosenbrock"),
    (["--surface", "x**2", "--domain", "1", "0", "0", "1"], "is empty"),
    (["--surface", "x**2", "--domain", "0", "1", "0"], "expected 4 arguments"),
])
def test_trace_formula_errors(argv, message, capsys):
    assert main(["trace", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("text", "shown"), [
    ("2*-x + y**2", r"2 \cdot \left(-x\right) + y^{2}"),  # never "2 - x"
    ("x*-y", r"x \cdot \left(-y\right)"),
    ("x - -y", r"x - \left(-y\right)"),
    ("x*2", r"x \cdot 2"),
    ("2**-x", r"2^{-x}"),
])
def test_a_negative_or_numeric_factor_is_shown_as_written(text, shown):
    assert latex(parse(text)) == shown


def test_chains_of_fractions_count_towards_the_depth_limit():
    assert typeset_depth(parse("x" + "/1" * 40)) == 40
    with pytest.raises(FormulaError, match="nested too deeply to typeset"):
        parse("x" + "/1" * 147)  # TeX ran out of capacity 8 s into a render
    assert typeset_depth(parse("+".join(["x"] * 100))) == 0  # a long sum is flat


@pytest.mark.parametrize("text", ["0*x + 0*y", "x - x + 1", "0*sin(x)"])
def test_a_flat_surface_is_refused_by_its_gradient(text):
    with pytest.raises(FormulaError, match="flat"):
        resolve(text)


def test_a_surface_undefined_on_part_of_the_domain_is_refused_with_the_way_out():
    with pytest.raises(FormulaError, match=r"finite at 90% .*pass a domain"):
        resolve("log(x+2.5) + y**2")
    assert resolve("log(x+2.5) + y**2", (-2, 3, -3, 3)).domain == (-2, 3, -3, 3)
