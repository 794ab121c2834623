"""Scene parameters, declared once.

Each scene declares a frozen dataclass whose fields are made with :func:`param` (default, one-line
doc, allowed range or choices). From that one declaration come:

- validation of user values (TOML presets, config files, ``--set key=value``) with one-line errors
  that name the key path, say what is allowed and suggest the closest valid key for a typo;
- ``render.py params SCENE`` and the README's parameter reference (:func:`describe`).

Supported field types: ``bool``, ``int``, ``float``, ``str``, ``tuple[float, float]``, each
optionally ``| None`` (``None`` meaning "derived", e.g. "the surface's own start"), and
``dict[str, SomeParams]`` for named tables of nested declarations (e.g. the racers of a race).
Nothing a user writes is executed: values are parsed as TOML literals only.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import sys
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any


class ParamError(ValueError):
    """A bad parameter value or key; the message is one line meant for the user."""


# tomllib reads a whole number with int(), which refuses more digits than this
TOO_MANY_DIGITS = f"a number of more than {sys.get_int_max_str_digits()} digits"


def shown(value: Any, limit: int = 60) -> str:
    """A value as an error message quotes it: its repr, cut to ``limit`` characters (a config
    may hold a 10-million-number array; the message stays one short line)."""
    try:
        text = repr(value)
    except ValueError:  # holds a whole number of more digits than int's repr writes
        text = TOO_MANY_DIGITS
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


@dataclasses.dataclass(frozen=True)
class Interval:
    """A numeric range: its ends, and whether each belongs to it."""

    low: float
    high: float
    low_closed: bool = True
    high_closed: bool = True

    @classmethod
    def parse(cls, text: str) -> Interval:
        """From interval notation, as declarations write it: ``"[0, 1)"``, ``"(0, inf)"``."""
        m = re.fullmatch(r"([\[(])\s*([-\w.+]+)\s*,\s*([-\w.+]+)\s*([\])])", text)
        if not m:
            raise ValueError(f"bad interval {text!r}")  # a declaration bug
        return cls(float(m[2]), float(m[3]), m[1] == "[", m[4] == "]")

    @property
    def text(self) -> str:
        """In interval notation, e.g. ``(0, 100]``."""
        def number(v: float) -> str:
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        return (f"{'[' if self.low_closed else '('}{number(self.low)}, "
                f"{number(self.high)}{']' if self.high_closed else ')'}")

    def __contains__(self, value: float) -> bool:
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below


def param(default: Any = dataclasses.MISSING, doc: str = "", *,
          interval: str | Interval | None = None, choices: tuple[str, ...] | None = None,
          default_factory: Any = dataclasses.MISSING, none_means: str = "") -> Any:
    """A declared parameter: a dataclass field carrying its doc, range (interval notation, or
    an :class:`Interval`) or choices."""
    if isinstance(interval, str):
        interval = Interval.parse(interval)
    meta = {"doc": doc, "interval": interval,
            "choices": tuple(choices) if choices else None, "none_means": none_means,
            "default_factory": default_factory}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# --- type introspection --------------------------------------------------------------------------

def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def _type_name(tp: Any) -> str:
    tp, optional = _unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if origin is tuple:
        name = "[x, y]" if len(typing.get_args(tp)) == 2 else "list of numbers"
    elif origin is dict:
        name = "table"
    else:
        name = {bool: "bool", int: "int", float: "float", str: "string"}[tp]
    return name


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _field_default(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return f.default


def did_you_mean(word: str, valid: Iterable[str]) -> str:
    """``"; did you mean 'race'?"`` for the closest valid word, or ``""`` if none is close:
    every "no such ..." message of the program says it the same way."""
    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# --- value conversion ----------------------------------------------------------------------------

def _convert(value: Any, tp: Any, meta: Mapping[str, Any], path: str) -> Any:
    base, optional = _unwrap_optional(tp)
    if value is None:
        if optional:
            return None
        raise ParamError(f"{path}: a value is required ({_type_name(tp)})")
    origin = typing.get_origin(base)
    if origin is dict:
        return _convert_table(value, typing.get_args(base)[1], path, meta)
    if origin is tuple:
        n = len(typing.get_args(base))
        if (not isinstance(value, list | tuple) or len(value) != n
                or not all(_is_number(v) for v in value)):
            example = "[-1.5, -1.0]" if n == 2 else "[" + ", ".join(["0"] * n) + "]"
            raise ParamError(f"{path}: expected {n} numbers like {example}, got {shown(value)}")
        out = tuple(_float(v) for v in value)
        if not all(math.isfinite(v) for v in out):
            raise ParamError(f"{path}: expected finite numbers, got {shown(value)}")
        return out
    if base is bool:
        if not isinstance(value, bool):
            raise ParamError(f"{path}: expected true or false, got {shown(value)}")
        return value
    if base is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(f"{path}: expected a whole number, got {shown(value)}")
        return _check_interval(value, meta, path)
    if base is float:
        if not _is_number(value):
            raise ParamError(f"{path}: expected a number, got {shown(value)}")
        number = _float(value)
        if not math.isfinite(number):
            raise ParamError(f"{path}: expected a finite number, got {shown(value)}")
        return _check_interval(number, meta, path)
    if base is str:
        if not isinstance(value, str):
            raise ParamError(f"{path}: expected a string, got {shown(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ParamError(f"{path}: {shown(value)} is not allowed{did_you_mean(value, choices)} "
                             f"(choose one of: {', '.join(choices)})")
        return value
    raise TypeError(f"unsupported parameter type {tp!r} at {path}")  # a declaration bug


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _float(v: int | float) -> float:
    """``v`` as a float; a whole number too large for one is infinite (so: not finite)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _check_interval(value: float, meta: Mapping[str, Any], path: str) -> float:
    interval = meta.get("interval")
    if interval is not None and value not in interval:
        raise ParamError(f"{path}: {shown(value)} is out of range (allowed: {interval.text})")
    return value


def _convert_table(value: Any, item_cls: type, path: str, meta: Mapping[str, Any]) -> dict:
    """A named table of declared entries, merged over the declared default entries.

    A name that is not among the defaults adds an entry, which must then set the keys the
    entry class lists in ``NEW_ENTRY_NEEDS`` (so a typo in a name is an error, not a racer).
    """
    if not isinstance(value, Mapping):
        raise ParamError(f"{path}: expected a table of named entries, got {shown(value)}")
    defaults = meta["default_factory"]()
    if not value:  # entries merge over the defaults: an empty table would change nothing
        raise ParamError(f"{path}: the table is empty; entries are changed or added by name "
                         f"({path}.NAME.KEY), never removed (entries: {', '.join(defaults)})")
    needs = getattr(item_cls, "NEW_ENTRY_NEEDS", ())
    for name, item in value.items():
        complete = isinstance(item, Mapping) and all(k in item for k in needs)
        if name not in defaults and not complete:
            keys = " and ".join(f"{path}.{name}.{k}" for k in needs)
            raise ParamError(f"{path}.{name}: no such entry{did_you_mean(name, defaults)} "
                             f"(entries: {', '.join(defaults)}); to add one, set {keys}")
    merged = merge({k: to_data(v) for k, v in defaults.items()}, value)
    return {name: build(item_cls, item, f"{path}.{name}") for name, item in merged.items()}


# --- building and merging ------------------------------------------------------------------------

def build(cls: type, data: Any, path: str) -> Any:
    """Validate ``data`` (a mapping from TOML or ``--set``) into a ``cls`` instance."""
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ParamError(f"{path}: expected a table, got {shown(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            raise ParamError(f"{path}.{key}: unknown key{did_you_mean(key, fields)} "
                             f"(valid: {', '.join(fields)})")
    hints = _hints(cls)
    values = {name: _convert(data[name], hints[name], f.metadata, f"{path}.{name}")
              for name, f in fields.items() if name in data}
    obj = cls(**values)
    check = getattr(obj, "check", None)
    if check is not None:
        try:
            check()
        except ValueError as exc:
            raise ParamError(f"{path}: {exc}") from None
    return obj


def to_data(obj: Any) -> Any:
    """A declared instance as plain TOML-like data (the inverse of :func:`build`)."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return list(obj)
    return obj


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of TOML-like tables; ``override`` wins, tables merge key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """``"race.racers.adam.lr=0.05"`` -> ``(["race", "racers", "adam", "lr"], 0.05)``.

    The value is read as a TOML literal (number, boolean, string, array); anything that is not a
    TOML literal is taken as a plain string, so ``race.surface=himmelblau`` needs no quotes.
    """
    key, sep, raw = text.partition("=")
    keys = [k.strip() for k in key.strip().split(".")]
    if not sep or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", k) for k in keys):
        raise ParamError(f"--set {shown(text)}: expected KEY.PATH=VALUE, e.g. race.steps=500")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except ValueError:
        raise ParamError(f"--set {shown(key.strip())}: the value is {TOO_MANY_DIGITS}") from None
    except RecursionError:
        raise ParamError(f"--set {shown(key.strip())}: the value is nested too deeply") from None
    return keys, value


def nest(keys: list[str], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(keys):
        out = {key: out}
    return out


# --- documentation -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ParamDoc:
    key: str
    type: str
    default: Any  # TOML-like data, or a phrase in parentheses for a derived default
    allowed: str
    doc: str
    derived: bool = False

    def default_text(self) -> str:
        return self.default if self.derived else json.dumps(self.default)


def describe(cls: type, prefix: str, values: Any = None) -> list[ParamDoc]:
    """Every parameter of ``cls`` (nested tables flattened) for help text and the README.

    Defaults come from ``values`` (an instance) when given, else from the declaration.
    """
    rows: list[ParamDoc] = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        tp, _ = _unwrap_optional(hints[f.name])
        meta = f.metadata
        default = getattr(values, f.name) if values is not None else _field_default(f)
        key = f"{prefix}.{f.name}"
        if typing.get_origin(tp) is dict:
            names = ", ".join(default) if default else "none"
            rows.append(ParamDoc(key, "table", f"({names})", "named entries", meta["doc"], True))
            for name, item in default.items():
                rows += describe(typing.get_args(tp)[1], f"{key}.{name}", item)
            continue
        if meta.get("choices"):
            allowed = ", ".join(meta["choices"])
        elif meta.get("interval"):
            allowed = meta["interval"].text
        else:
            allowed = "any"
        derived = default is None
        default_shown = f"({meta.get('none_means') or 'derived'})" if derived else to_data(default)
        rows.append(ParamDoc(key, _type_name(hints[f.name]), default_shown, allowed, meta["doc"],
                            derived))
    return rows


def json_schema(cls: type) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the TOML table ``cls`` declares: types, ranges, choices,
    docs and defaults, and no key that is not declared. A derived default (``None``) is a key
    left out, as TOML has no null. Editors (e.g. Taplo, Even Better TOML) complete and check a
    config file with it; :func:`build` stays the check the program trusts."""
    hints = _hints(cls)
    properties = {}
    for f in dataclasses.fields(cls):
        tp, _ = _unwrap_optional(hints[f.name])
        meta = f.metadata
        if typing.get_origin(tp) is dict:
            prop: dict[str, Any] = {"type": "object", "minProperties": 1,
                                    "additionalProperties": json_schema(typing.get_args(tp)[1])}
        elif typing.get_origin(tp) is tuple:
            n = len(typing.get_args(tp))
            prop = {"type": "array", "items": {"type": "number"}, "minItems": n, "maxItems": n}
        else:
            prop = {"type": {bool: "boolean", int: "integer", float: "number",
                             str: "string"}[tp]}
        if meta.get("choices"):
            prop["enum"] = list(meta["choices"])
        interval = meta.get("interval")
        if interval is not None:
            number = int if tp is int else float
            if math.isfinite(interval.low):
                prop["minimum" if interval.low_closed else "exclusiveMinimum"] = number(
                    interval.low)
            if math.isfinite(interval.high):
                prop["maximum" if interval.high_closed else "exclusiveMaximum"] = number(
                    interval.high)
        prop["description"] = meta["doc"]
        default = _field_default(f)
        if default is not None and not dataclasses.is_dataclass(default):
            prop["default"] = to_data(default)
        properties[f.name] = prop
    return {"type": "object", "properties": properties, "additionalProperties": False}


def add_flags(group: Any, cls: type, short: Mapping[str, str] | None = None) -> None:
    """Command-line options for the fields of ``cls`` (``encoder_preset`` -> ``--encoder-preset``)
    with their type, choices and doc, so a setting is declared once for TOML, ``--set`` and the
    flags. Values given are validated by :func:`build` like any other layer."""
    hints = _hints(cls)
    docs = {r.key.split(".", 1)[1]: r for r in describe(cls, "x")}
    for f in dataclasses.fields(cls):
        tp, _ = _unwrap_optional(hints[f.name])
        doc = docs[f.name]
        names = [*([short[f.name]] if short and f.name in short else []),
                 "--" + f.name.replace("_", "-")]
        if tp is bool:
            group.add_argument(*names, action="store_true", dest=f.name, help=doc.doc)
            continue
        kwargs: dict[str, Any] = {"dest": f.name, "metavar": f.name.upper()}
        if f.metadata.get("choices"):
            kwargs |= {"choices": list(f.metadata["choices"]), "metavar": None}
        elif tp in (int, float):
            kwargs["type"] = tp
        default = doc.default[1:-1] if doc.derived else doc.default_text()
        allowed = f"; allowed {doc.allowed}" if f.metadata.get("interval") else ""
        group.add_argument(*names, help=f"{doc.doc} (default: {default}{allowed})", **kwargs)
