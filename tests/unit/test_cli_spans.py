"""``ldai score-spans`` through the real entry point, with JSON on stdin."""

from __future__ import annotations

import io
import json

import pytest

from ldai_xblocks.cli import main

KEYS = {"iou", "precision", "recall", "f1", "found", "missed", "false_alarms", "score"}


def _run(monkeypatch, capsys, payload, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(payload if isinstance(payload, str) else json.dumps(payload)))
    code = main(["score-spans", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_scores_a_learners_flags(monkeypatch, capsys):
    payload = {"text": "Sales rose 12%. The CEO is Ann.", "gold": [[11, 14]], "flagged": [[0, 15], [16, 31]]}
    code, out, err = _run(monkeypatch, capsys, payload)
    assert code == 0 and not err
    result = json.loads(out)
    assert set(result) == KEYS
    assert result["found"] == [[11, 14]]
    assert result["missed"] == []
    assert result["false_alarms"] == [[16, 31]]
    assert result["recall"] == 1.0
    assert result["score"] == pytest.approx(2 / 3)


def test_grading_by_iou(monkeypatch, capsys):
    payload = {"text": "0123456789", "gold": [[0, 4]], "flagged": [[2, 6]]}
    code, out, _ = _run(monkeypatch, capsys, payload, "--grading", "iou")
    assert code == 0
    assert json.loads(out)["score"] == pytest.approx(2 / 6)


def test_units_cut_a_flag_over_the_whole_text(monkeypatch, capsys):
    payload = {"text": "Sales rose 12%. The CEO is Ann.", "gold": [[11, 14]], "flagged": [[0, 31]]}
    _, whole, _ = _run(monkeypatch, capsys, payload)
    _, by_unit, _ = _run(monkeypatch, capsys, payload, "--units", "en")
    assert json.loads(whole)["false_alarms"] == []
    assert json.loads(by_unit)["false_alarms"] == [[16, 31]]


def test_both_empty_scores_one(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, {"text": "All true.", "gold": [], "flagged": []})
    assert code == 0
    assert json.loads(out)["iou"] == 1.0 and json.loads(out)["score"] == 1.0


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"text": "abc", "gold": []}, "missing key(s): flagged"),
        ({"text": 3, "gold": [], "flagged": []}, '"text" must be a string'),
        ({"text": "abc", "gold": [[0, 9]], "flagged": []}, "past the end"),
        ({"text": "abc", "gold": [], "flagged": [[2, 1]]}, "smaller than end"),
        ({"text": "abc", "gold": [], "flagged": [[0.5, 2]]}, "integers"),
        ({"text": "abc", "gold": "0-2", "flagged": []}, "list of"),
    ],
)
def test_bad_input_exits_2_with_one_line(monkeypatch, capsys, payload, words):
    code, out, err = _run(monkeypatch, capsys, payload)
    assert code == 2
    assert out == ""
    assert words in err
    assert err.startswith("ldai score-spans: ") and err.count("\n") == 1
