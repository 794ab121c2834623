"""`render.py trace`: the contract other tools rely on, through main(argv)."""

import csv
import io
import json

import pytest

from optim_core import optimizers as O
from optim_core import run
from optim_core.surfaces import get
from render import MAX_TRACE_STEPS, main

ADAM_COLUMNS = ("step,x,y,loss,grad_x,grad_y,m_x,m_y,v_x,v_y,m_hat_x,m_hat_y,v_hat_x,v_hat_y,"
                "update_x,update_y")


def test_csv_to_stdout(capsys):
    assert main(["trace", "--surface", "rosenbrock", "--optimizer", "adam", "--lr", "0.1",
                 "--start", "-1.5", "-1", "--steps", "2000"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert ",".join(rows[0]) == ADAM_COLUMNS
    assert len(rows) == 2002
    ref = run(O.adam(0.1), get("rosenbrock"), (-1.5, -1.0), 2000)
    assert float(rows[-1][1]) == ref.position[-1, 0]  # full precision: repr round-trips
    assert float(rows[-1][2]) == ref.position[-1, 1]


@pytest.mark.parametrize(("optimizer", "state"), [
    ("sgd", ""), ("momentum", "m_x,m_y,"), ("rmsprop", "v_x,v_y,"),
    ("adam_uncorrected", "m_x,m_y,v_x,v_y,"),
    ("amsgrad", "m_x,m_y,v_x,v_y,m_hat_x,m_hat_y,v_hat_x,v_hat_y,v_max_x,v_max_y,"),
])
def test_only_the_optimizers_own_state_columns(optimizer, state, capsys):
    assert main(["trace", "--optimizer", optimizer, "--lr", "0.001", "--steps", "2"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == f"step,x,y,loss,grad_x,grad_y,{state}update_x,update_y"


def test_json_file_with_settings(tmp_path):
    out = tmp_path / "run.json"
    assert main(["trace", "--optimizer", "adamw", "--lr", "0.05", "--weight-decay", "0.1",
                 "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-6", "--steps", "10",
                 "--surface", "himmelblau", "--start", "0", "0", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["settings"]["optimizer"] == "adamw"
    assert doc["settings"]["hyperparams"] == {"lr": 0.05, "beta1": 0.8, "beta2": 0.99,
                                              "eps": 1e-6, "weight_decay": 0.1}
    assert doc["settings"]["surface"] == "himmelblau"
    assert len(doc["columns"]["x"]) == 11 and doc["diverged_at"] is None
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary left behind


def test_diverging_run_stops_cleanly(tmp_path, capsys):
    out = tmp_path / "run.csv"
    assert main(["trace", "--optimizer", "sgd", "--lr", "0.01", "--steps", "100",
                 "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1 + 3
    assert "diverged at step 3" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["--surface", "bowl"], "unknown surface 'bowl': not one of rosenbrock, saddle"),
    (["--optimizer", "adagrad"], "invalid choice: 'adagrad' (choose from 'sgd', 'momentum'"),
    (["--lr", "abc"], "argument --lr: 'abc' is not a number"),
    (["--lr", "nan"], "argument --lr: 'nan' is not a finite number"),
    (["--lr", "inf"], "argument --lr: 'inf' is not a finite number"),
    (["--lr", "-0.1"], "lr=-0.1 is out of range: lr must be in (0, 100]"),
    (["--eps", "5"], "eps=5.0 is out of range: eps must be in (0, 1]"),  # as in the scenes
    (["--beta1", "1"], "beta1=1.0 is out of range: beta1 must be in [0, 1)"),
    (["--eps", "0"], "eps=0.0 is out of range"),
    (["--optimizer", "sgd", "--beta2", "0.9"], "optimizer sgd takes no beta2 (it takes: lr)"),
    (["--optimizer", "adam", "--weight-decay", "0.1"], "optimizer adam takes no weight-decay"),
    (["--start", "1"], "argument --start: expected 2 arguments"),
    (["--start", "1", "2", "3"], "unrecognized arguments: 3"),
    (["--steps", "0"], f"0 is out of range: allowed 1..{MAX_TRACE_STEPS}"),
    (["--steps", str(MAX_TRACE_STEPS + 1)], "out of range"),
    (["--steps", "1.5"], "'1.5' is not a whole number"),
    (["--out", "run.txt"], "the file must end in .csv or .json"),
    (["--out", "/nonexistent-folder/run.csv"], "folder /nonexistent-folder does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["trace", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("render.py: error: ")
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    import os
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who can write anywhere (root)")
    assert main(["trace", "--out", str(locked / "a.csv")]) == 2
    assert "is not writable" in capsys.readouterr().err


def test_out_is_a_folder(tmp_path, capsys):
    (tmp_path / "x.csv").mkdir()
    assert main(["trace", "--out", str(tmp_path / "x.csv")]) == 2
    assert "it is a folder" in capsys.readouterr().err


def test_help_exits_zero(capsys):
    assert main(["trace", "--help"]) == 0
    assert "--weight-decay" in capsys.readouterr().out
