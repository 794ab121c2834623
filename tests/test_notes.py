"""Speaker notes (scenes/production/notes.py): the narration, the clip's length and the numbers
behind an idea, written for reading; a fact an idea names that its scene did not record."""

from __future__ import annotations

import pytest

from scenes.framework.scene import Beat, Idea
from scenes.production.notes import idea_notes, reading


def test_numbers_read_without_e_notation_and_long_series_by_count_and_ends():
    assert reading(0.0032664) == "3.266 × 10⁻³"
    assert reading(2000) == "2,000"
    assert reading(1e7) == "10⁷"
    assert reading([1.5, -1.0]) == "(1.5, -1)"
    assert reading(list(range(10)) + [None]) == ("11 values, 1 of them none: first 0, last none; "
                                                 "least 0, most 9")
    assert reading(None) == "none" and reading(True) == "yes"


def test_a_table_is_led_by_its_name_and_a_list_of_tables_is_one_per_line():
    rows = [{"name": "SGD", "final_loss": 0.028}, {"name": "Adam", "final_loss": 0.0033}]
    assert reading(rows, 1) == "\n  - SGD: final loss 0.028\n  - Adam: final loss 3.3 × 10⁻³"
    assert reading({"lr": 0.1, "steps": 300}) == "lr 0.1; steps 300"


def test_notes_hold_the_narration_the_clip_length_and_the_named_facts():
    beats = [Beat(1, "a", "First sentence.", 0.0, 4.0, None, 0),
             Beat(2, "b", "Second sentence.", 4.0, 9.5, None, 0)]
    notes = idea_notes("race", Idea("The race", ("start",)), beats, {"start": (-1.5, -1.0)})
    assert notes == ("First sentence.\n\nSecond sentence.\n\nThe clip plays 2 beats in 9.5 s."
                     "\n\nThe numbers behind it:\n- start: (-1.5, -1)")
    plain = idea_notes("race", Idea("The race"), beats[:1], {})
    assert plain == "First sentence.\n\nThe clip plays 1 beat in 4.0 s."


def test_a_fact_the_scene_did_not_record_is_named():
    beats = [Beat(1, "a", "Words.", 0.0, 1.0)]
    with pytest.raises(KeyError, match="names facts the scene does not record: outcome"):
        idea_notes("race", Idea("The race", ("outcome",)), beats, {"outcomes": []})


def test_series_measured_along_the_rates_are_read_one_rate_a_line():
    """A sweep's medians are 25 numbers per optimizer: read with the α each belongs to, and
    the diverged shares beside them only where they are not 0."""
    beats = [Beat(1, "a", "Words.", 0.0, 1.0)]
    facts = {"rates": [1e-3, 0.01], "medians": {"sgd": [3.5, None], "adam": [0.02, 0.001]},
             "diverged_share": {"sgd": [0.0, 1.0], "adam": [0.0, 0.0]}, "runs": 4}
    notes = idea_notes("tuning", Idea("Sweep", ("rates", "medians", "diverged_share", "runs")),
                       beats, facts)
    assert notes.endswith("- rates: (10⁻³, 0.01)\n- medians; diverged share where not 0, by α "
                          "(—: not a finite number):"
                          "\n  - α 10⁻³: sgd 3.5 · adam 0.02"
                          "\n  - α 0.01: sgd — · adam 10⁻³; diverged share sgd 1"
                          "\n- runs: 4")
