"""Loss surfaces from a formula in x and y, parsed safely and differentiated exactly.

A small recursive-descent parser reads the text into a tree of five node kinds (number, name,
unary minus, binary operator, function call); nothing the user typed is ever evaluated, compiled
or handed to ``eval``/``exec``/``compile``/``sympify``. The tree is then:

- turned into a vectorised numpy function by composing closures,
- differentiated symbolically (sum, product, quotient, power and chain rules) for an exact
  gradient, which is checked against finite differences when the surface is built,
- printed as LaTeX for the scenes,
- searched for critical points with ``scipy.optimize.root`` from a grid of starts.

Allowed: numbers, ``x``, ``y``, ``+ - * / **``, unary minus, parentheses, the functions in
``FUNCTIONS`` and the constants ``pi`` and ``e``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .landscape import CriticalPoint, Surface

MAX_LENGTH = 300
MAX_DEPTH = 40
MAX_NUMBER = 1e6
DEFAULT_DOMAIN = (-3.0, 3.0, -3.0, 3.0)
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}


class FormulaError(ValueError):
    """What is wrong with a formula and where: one line for the user."""

    def __init__(self, message: str, column: int | None = None):
        where = f" at column {column + 1}" if column is not None else ""
        super().__init__(f"formula{where}: {message}")


# --- the tree ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str  # "x" or "y"


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class Bin:
    op: str  # + - * / **
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    fn: str
    arg: Node


Node = Num | Var | Neg | Bin | Call


# One-argument functions: numpy implementation, derivative (as a tree of the argument), LaTeX.
def _d_sqrt(u: Node) -> Node:
    return Bin("/", Num(0.5), Call("sqrt", u))


FUNCTIONS: dict[str, tuple[Callable, Callable[[Node], Node], str]] = {
    "sin": (np.sin, lambda u: Call("cos", u), r"\sin"),
    "cos": (np.cos, lambda u: Neg(Call("sin", u)), r"\cos"),
    "tan": (np.tan, lambda u: Bin("/", Num(1.0), Bin("**", Call("cos", u), Num(2.0))), r"\tan"),
    "exp": (np.exp, lambda u: Call("exp", u), r"\exp"),
    "log": (np.log, lambda u: Bin("/", Num(1.0), u), r"\log"),
    "sqrt": (np.sqrt, _d_sqrt, r"\sqrt"),
    "abs": (np.abs, lambda u: Call("sign", u), ""),
    "tanh": (np.tanh, lambda u: Bin("-", Num(1.0), Bin("**", Call("tanh", u), Num(2.0))),
             r"\tanh"),
    "sinh": (np.sinh, lambda u: Call("cosh", u), r"\sinh"),
    "cosh": (np.cosh, lambda u: Call("sinh", u), r"\cosh"),
    "atan": (np.arctan,
             lambda u: Bin("/", Num(1.0), Bin("+", Num(1.0), Bin("**", u, Num(2.0)))), r"\arctan"),
}
# Only ever produced by differentiation (d|u| = sign(u)), never accepted from the user.
_INTERNAL: dict[str, tuple[Callable, Callable[[Node], Node], str]] = {
    "sign": (np.sign, lambda u: Num(0.0), r"\operatorname{sign}")}


# --- parsing -----------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
                   r"|(?P<op>\*\*|[-+*/()]))")
KEYWORDS = {"lambda", "for", "in", "if", "else", "import", "not", "and", "or", "is", "def"}
FORBIDDEN_CHARS = {
    ".": "attribute access is not allowed", "[": "subscripts are not allowed",
    "]": "subscripts are not allowed", "'": "strings are not allowed",
    '"': "strings are not allowed", ",": "functions take one argument; commas are not allowed",
    "=": "assignments and comparisons are not allowed", "^": "use ** for powers, not ^",
}


def allowed_text() -> str:
    return (f"numbers, x, y, + - * / **, parentheses, {', '.join(FUNCTIONS)}, "
            f"{' and '.join(CONSTANTS)}")


def tokenize(text: str) -> list[tuple[str, str, int]]:
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"too long ({len(text)} characters; at most {MAX_LENGTH})")
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip())
            ch = text[col]
            why = FORBIDDEN_CHARS.get(ch, f"unexpected character {ch!r}")
            raise FormulaError(f"{why} (allowed: {allowed_text()})", col)
        kind = m.lastgroup
        assert kind is not None  # TOKEN matched, so one of its groups did
        start = m.start(kind)
        tokens.append((kind, m.group(kind), start))
        pos = m.end()
    if not tokens:
        raise FormulaError("empty formula; write one in x and y, e.g. x**2 + 10*y**2")
    return tokens


class Parser:
    """Recursive descent with Python's precedence: ** binds tighter than unary minus."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise FormulaError("unexpected end of formula (a term or ')' is missing)")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.peek()
        if tok is None or tok[1] != value:
            where = tok[2] if tok else None
            raise FormulaError(f"expected '{value}'", where)
        self.i += 1

    def parse(self) -> Node:
        node = self.expr()
        extra = self.peek()
        if extra is not None:
            kind, value, col = extra
            raise FormulaError(f"unexpected {value!r}", col)
        return node

    def nested(self, fn):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"nested too deeply (more than {MAX_DEPTH} levels)")
        try:
            return fn()
        finally:
            self.depth -= 1

    def expr(self) -> Node:
        node = self.term()
        while (tok := self.peek()) and tok[1] in "+-" and tok[0] == "op":
            self.i += 1
            node = Bin(tok[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) and tok[1] in ("*", "/"):
            self.i += 1
            node = Bin(tok[1], node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok and tok[1] == "-":
            self.i += 1
            return self.nested(lambda: Neg(self.unary()))
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        tok = self.peek()
        if tok and tok[1] == "**":
            self.i += 1
            return Bin("**", base, self.nested(self.unary))
        return base

    def atom(self) -> Node:
        kind, value, col = self.take()
        if kind == "num":
            number = float(value)
            if not math.isfinite(number) or abs(number) > MAX_NUMBER:
                raise FormulaError(f"number {value} is too large (at most {MAX_NUMBER:g})", col)
            return Num(number)
        if kind == "name":
            return self.name(value, col)
        if value == "(":
            node = self.nested(self.expr)
            self.expect(")")
            return node
        raise FormulaError(f"unexpected {value!r}", col)

    def name(self, value: str, col: int) -> Node:
        if "__" in value:
            raise FormulaError(f"names with __ are not allowed ({value!r})", col)
        if value in KEYWORDS:
            raise FormulaError(f"{value!r} is not allowed (allowed: {allowed_text()})", col)
        nxt = self.peek()
        if value in FUNCTIONS:
            if not nxt or nxt[1] != "(":
                raise FormulaError(f"function {value} needs an argument in parentheses", col)
            self.i += 1
            arg = self.nested(self.expr)
            self.expect(")")
            return Call(value, arg)
        if nxt and nxt[1] == "(":
            raise FormulaError(f"unknown function {value!r} (functions: {', '.join(FUNCTIONS)})",
                               col)
        if value in VARIABLES:
            return Var(value)
        if value in CONSTANTS:
            return Num(CONSTANTS[value])
        raise FormulaError(f"unknown name {value!r} (allowed: {allowed_text()})", col)


def parse(text: str) -> Node:
    if not isinstance(text, str):
        raise FormulaError("a formula must be text")
    tree = Parser(text).parse()
    if (depth := typeset_depth(tree)) > MAX_DEPTH:
        raise FormulaError(f"nested too deeply to typeset ({depth} levels of fractions, powers "
                           f"and brackets; at most {MAX_DEPTH})")
    return tree


def typeset_depth(node: Node) -> int:
    """How deeply the LaTeX of ``node`` nests: ``x/1/1`` is two fractions deep although it is
    written without brackets (TeX runs out of room long before the parser would)."""
    if isinstance(node, Num | Var):
        return 0
    if isinstance(node, Neg):
        return typeset_depth(node.arg)
    if isinstance(node, Call):
        return 1 + typeset_depth(node.arg)
    inner = max(typeset_depth(node.left), typeset_depth(node.right))
    return inner + (node.op in ("/", "**"))


# --- evaluation, differentiation, printing --------------------------------------------------------

_BIN = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}


def compile_tree(node: Node) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The tree as a numpy function of (x, y), built from closures (no code generation)."""
    if isinstance(node, Num):
        v = node.value
        return lambda x, y: np.full(np.broadcast(x, y).shape, v)
    if isinstance(node, Var):
        return (lambda x, y: np.asarray(x, float) + 0 * np.asarray(y, float)) \
            if node.name == "x" else (lambda x, y: np.asarray(y, float) + 0 * np.asarray(x, float))
    if isinstance(node, Neg):
        f = compile_tree(node.arg)
        return lambda x, y: -f(x, y)
    if isinstance(node, Bin):
        a, b, op = compile_tree(node.left), compile_tree(node.right), _BIN[node.op]
        return lambda x, y: op(a(x, y), b(x, y))
    fn = {**FUNCTIONS, **_INTERNAL}[node.fn][0]
    f = compile_tree(node.arg)
    return lambda x, y: fn(f(x, y))


def depends_on(node: Node, name: str) -> bool:
    if isinstance(node, Var):
        return node.name == name
    if isinstance(node, Num):
        return False
    if isinstance(node, Bin):
        return depends_on(node.left, name) or depends_on(node.right, name)
    return depends_on(node.arg, name)


def _add(a: Node, b: Node) -> Node:
    if a == Num(0.0):
        return b
    if b == Num(0.0):
        return a
    return Bin("+", a, b)


def _mul(a: Node, b: Node) -> Node:
    if Num(0.0) in (a, b):
        return Num(0.0)
    if a == Num(1.0):
        return b
    if b == Num(1.0):
        return a
    return Bin("*", a, b)


def diff(node: Node, var: str) -> Node:
    """The exact partial derivative of the tree, as a tree."""
    if not depends_on(node, var):
        return Num(0.0)
    if isinstance(node, Var):
        return Num(1.0)
    if isinstance(node, Neg):
        d = diff(node.arg, var)
        return Neg(d)
    if isinstance(node, Call):
        outer = {**FUNCTIONS, **_INTERNAL}[node.fn][1](node.arg)
        return _mul(outer, diff(node.arg, var))
    assert isinstance(node, Bin)  # a Num does not depend on var
    u, v = node.left, node.right
    du, dv = diff(u, var), diff(v, var)
    if node.op in "+-":
        if node.op == "+":
            return _add(du, dv)
        return du if dv == Num(0.0) else Bin("-", du, dv)
    if node.op == "*":
        return _add(_mul(du, v), _mul(u, dv))
    if node.op == "/":
        return Bin("/", Bin("-", _mul(du, v), _mul(u, dv)), Bin("**", v, Num(2.0)))
    # u ** v
    if not depends_on(v, var):
        return _mul(_mul(v, Bin("**", u, Bin("-", v, Num(1.0)))), du)
    return _mul(node, _add(_mul(dv, Call("log", u)), _mul(v, Bin("/", du, u))))


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def latex(node: Node, parent: int = 0) -> str:
    """The tree as LaTeX (fractions, powers, function names), parenthesised by precedence."""
    if isinstance(node, Num):
        for name, value in CONSTANTS.items():
            if node.value == value:
                return r"\pi" if name == "pi" else "e"
        mantissa, _, exponent = f"{node.value:g}".partition("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}" if exponent else mantissa
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Neg):
        s = "-" + latex(node.arg, _PREC["neg"])
        return f"\\left({s}\\right)" if parent > _PREC["neg"] else s
    if isinstance(node, Call):
        inner = latex(node.arg)
        if node.fn == "abs":
            return rf"\left|{inner}\right|"
        if node.fn == "sqrt":
            return rf"\sqrt{{{inner}}}"
        return rf"{FUNCTIONS[node.fn][2]}\left({inner}\right)"
    prec = _PREC[node.op]
    if node.op == "/":
        s = rf"\frac{{{latex(node.left)}}}{{{latex(node.right)}}}"
        return s
    if node.op == "**":
        base = latex(node.left, prec + 1)
        s = f"{base}^{{{latex(node.right)}}}"
    else:
        # A negative right operand keeps its parentheses: "2*-x" is 2 (-x), never "2 - x".
        right = latex(node.right, _PREC["neg"] + 1 if isinstance(node.right, Neg) else prec + 1)
        left = latex(node.left, prec)
        if node.op != "*":
            s = f"{left} {node.op} {right}"
        elif right[0].isdigit() or right.startswith(r"\left(-"):
            s = rf"{left} \cdot {right}"  # "x 2" would read as a subscript or a digit
        else:
            s = rf"{left}\,{right}"
    return f"\\left({s}\\right)" if parent > prec else s


# --- the surface -------------------------------------------------------------------------------

def check_domain(domain) -> tuple[float, float, float, float]:
    try:
        x0, x1, y0, y1 = (float(v) for v in domain)
    except (TypeError, ValueError):
        raise FormulaError("a domain is four numbers: xmin xmax ymin ymax") from None
    if not all(math.isfinite(v) and abs(v) <= MAX_NUMBER for v in (x0, x1, y0, y1)):
        raise FormulaError("domain bounds must be finite numbers of at most 1e6")
    if not (x0 < x1 and y0 < y1):
        raise FormulaError(f"domain [{x0:g}, {x1:g}] x [{y0:g}, {y1:g}] is empty "
                           "(need xmin < xmax and ymin < ymax)")
    return x0, x1, y0, y1


def critical_points(f, df, domain, n: int = 9) -> tuple[CriticalPoint, ...]:
    """Critical points inside the domain: scipy root from an n x n grid of starts, deduplicated
    and classified by the Hessian's eigenvalues (from the exact gradient)."""
    from scipy.optimize import root

    x0, x1, y0, y1 = domain
    scale = max(x1 - x0, y1 - y0)
    grad = lambda p: np.array(df(p[0], p[1]), dtype=float)  # noqa: E731
    found: list[CriticalPoint] = []
    with np.errstate(all="ignore"):
        for sx in np.linspace(x0, x1, n + 2)[1:-1]:
            for sy in np.linspace(y0, y1, n + 2)[1:-1]:
                sol = root(grad, [sx, sy], tol=1e-12)
                p = sol.x
                if not (sol.success and np.all(np.isfinite(p))
                        and x0 <= p[0] <= x1 and y0 <= p[1] <= y1):
                    continue
                if np.linalg.norm(grad(p)) > 1e-6 * max(1.0, float(np.abs(f(*p)))):
                    continue
                if any(np.hypot(p[0] - c.x, p[1] - c.y) < 1e-4 * scale for c in found):
                    continue
                h = 1e-5 * scale
                H = np.array([(grad(p + [h, 0]) - grad(p - [h, 0])) / (2 * h),
                              (grad(p + [0, h]) - grad(p - [0, h])) / (2 * h)])
                eig = np.linalg.eigvalsh((H + H.T) / 2)
                if not np.all(np.isfinite(eig)) or np.min(np.abs(eig)) < 1e-9:
                    continue  # degenerate: not a clean minimum, maximum or saddle
                kind = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle"
                found.append(CriticalPoint(float(p[0]), float(p[1]), kind))
    order = {"minimum": 0, "saddle": 1, "maximum": 2}
    return tuple(sorted(found, key=lambda c: (order[c.kind], f(c.x, c.y))))


@lru_cache(maxsize=32)
def surface(text: str, domain: tuple[float, float, float, float] | None = None) -> Surface:
    """A :class:`Surface` from a formula (validated, differentiated, searched), cached."""
    tree = parse(text)
    if not (depends_on(tree, "x") or depends_on(tree, "y")):
        raise FormulaError("the formula does not depend on x or y")
    domain = check_domain(domain) if domain is not None else DEFAULT_DOMAIN
    f = compile_tree(tree)
    gx, gy = compile_tree(diff(tree, "x")), compile_tree(diff(tree, "y"))

    def df(x, y):
        return gx(x, y), gy(x, y)

    x0, x1, y0, y1 = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, 61), np.linspace(y0, y1, 61))
    with np.errstate(all="ignore"):
        Z = f(X, Y)
        G = np.stack(df(X, Y))
    ok = np.isfinite(Z) & np.all(np.isfinite(G), axis=0)
    if not ok.all():
        bad = np.argwhere(~ok)[0]
        raise FormulaError(f"not defined everywhere on the domain (finite at {ok.mean():.0%} of a "
                           f"61 x 61 grid; not at ({X[tuple(bad)]:.3g}, {Y[tuple(bad)]:.3g})); "
                           "pass a domain where it is finite")
    if np.all(np.abs(G) <= 1e-12 * np.maximum(1.0, np.abs(Z))):
        raise FormulaError("the surface is flat (its gradient is zero everywhere on the domain): "
                           "nothing for an optimizer to follow")
    _check_gradient(f, df, X, Y)
    z = Z.ravel()
    spread = (np.quantile(z, 0.98) - z.min()) / max(np.quantile(z, 0.5) - z.min(), 1e-300)
    levels = "log" if spread > 30 else "linear"
    points = critical_points(f, df, domain)
    start = (x0 + 0.15 * (x1 - x0), y0 + 0.85 * (y1 - y0))
    return Surface(name=text, title="custom surface", f=f, df=df, domain=domain,
                   critical_points=points, latex=f"f(x, y) = {latex(tree)}", start=start,
                   levels=levels, lesson="a landscape of your own")


def _check_gradient(f, df, xs: np.ndarray, ys: np.ndarray) -> None:
    """The exact gradient against central differences at sample points (a load-time check)."""
    rng = np.random.default_rng(0)
    idx = rng.choice(len(xs), size=min(25, len(xs)), replace=False)
    x, y = xs[idx], ys[idx]
    h = 1e-6 * max(1.0, float(np.max(np.abs(np.concatenate([x, y])))))
    with np.errstate(all="ignore"):
        num = np.stack([(f(x + h, y) - f(x - h, y)) / (2 * h),
                        (f(x, y + h) - f(x, y - h)) / (2 * h)])
        exact = np.stack(df(x, y))
    good = np.isfinite(num) & np.isfinite(exact)
    tol = 1e-4 * np.maximum(1.0, np.abs(exact)) + 1e-3 * np.maximum(1.0, np.abs(f(x, y)))
    if np.any(good & (np.abs(num - exact) > tol)):
        raise FormulaError("the gradient check failed: the function is not smooth on the domain "
                           "(e.g. abs or sqrt at 0 on the grid)")
