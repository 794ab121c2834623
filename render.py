"""Adam, animated: the command line.

    python render.py trace --surface rosenbrock --optimizer adam --lr 0.1 --start -1.5 -1

Every error is one line on stderr and exit code 2; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

from optim_core import OPTIMIZERS, SURFACES, optimizers, run, surfaces

MAX_TRACE_STEPS = 100_000


class UsageError(Exception):
    """A user mistake: reported as one line and exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors raise UsageError instead of printing usage and exiting."""

    def error(self, message: str):  # noqa: D401 - argparse's name
        raise UsageError(message)


def finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def step_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_TRACE_STEPS:
        raise argparse.ArgumentTypeError(f"{value} is out of range: allowed 1..{MAX_TRACE_STEPS}")
    return value


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: folder {folder} is not writable")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")


# --- trace ---------------------------------------------------------------------------------------

TRACE_HYPER = ("beta1", "beta2", "eps", "weight_decay")


def add_trace(sub) -> None:
    p = sub.add_parser(
        "trace", help="run one optimizer on one surface and export the trajectory (CSV or JSON)",
        description="Run one optimizer on one surface; write every step (position, loss, "
                    "gradient, optimizer state, update) as CSV (default, to stdout) or JSON.")
    p.add_argument("--surface", default="rosenbrock", choices=list(SURFACES), metavar="NAME",
                   help=f"loss surface: {', '.join(SURFACES)} (default: rosenbrock)")
    p.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS), metavar="NAME",
                   help=f"optimizer: {', '.join(OPTIMIZERS)} (default: adam)")
    p.add_argument("--lr", type=finite_float,
                   help="learning rate > 0 (default: the optimizer's own, e.g. 0.001 for adam)")
    p.add_argument("--start", type=finite_float, nargs=2, metavar=("X", "Y"),
                   help="start point (default: the surface's, e.g. -1.5 -1 for rosenbrock)")
    p.add_argument("--steps", type=step_count, default=1000,
                   help=f"number of updates, 1..{MAX_TRACE_STEPS} (default: 1000)")
    p.add_argument("--beta1", type=finite_float, help="first-moment decay in [0, 1)")
    p.add_argument("--beta2", type=finite_float, help="second-moment decay in [0, 1)")
    p.add_argument("--eps", type=finite_float, help="denominator guard > 0")
    p.add_argument("--weight-decay", type=finite_float, help="decoupled weight decay >= 0 (adamw)")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="write to FILE.csv or FILE.json instead of CSV on stdout")
    p.set_defaults(func=cmd_trace)


def cmd_trace(args: argparse.Namespace) -> int:
    if args.out is not None:
        if args.out.suffix.lower() not in (".csv", ".json"):
            raise UsageError(f"--out {args.out}: the file must end in .csv or .json")
        check_writable(args.out)
    hyper = {k: getattr(args, k) for k in ("lr", *TRACE_HYPER) if getattr(args, k) is not None}
    try:
        opt = optimizers.make(args.optimizer, **hyper)
    except ValueError as exc:
        raise UsageError(str(exc).replace("weight_decay", "weight-decay")) from None
    surface = surfaces.get(args.surface)
    start = args.start if args.start is not None else surface.start
    traj = run(opt, surface, start, args.steps)
    if args.out is None:
        sys.stdout.write(traj.to_csv())
    else:
        text = traj.to_json() if args.out.suffix.lower() == ".json" else traj.to_csv()
        write_atomically(args.out, text)
    if traj.diverged:
        print(f"note: the run diverged at step {int(traj.diverged_at)}; "
              f"the rows stop at step {traj.valid_steps - 1}", file=sys.stderr)
    return 0


# --- main ----------------------------------------------------------------------------------------

def build_parser() -> Parser:
    parser = Parser(prog="render.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    add_trace(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return args.func(args)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except UsageError as exc:
        print(f"render.py: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("render.py: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
