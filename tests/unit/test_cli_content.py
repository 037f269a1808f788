"""``ldai content validate`` and ``ldai content stats``: exit codes and one line per problem with its JSON path."""

from __future__ import annotations

import json

from ldai_xblocks.cli import main
from tests.conftest import FIXTURES


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_documents_exit_zero(capsys):
    code, out, err = run(capsys, "content", "validate", str(FIXTURES / "quiz_small.json"))
    assert code == 0 and out == "" and "1 document(s) valid" in err


def test_each_problem_is_one_line_with_its_json_path(capsys, tmp_path):
    document = json.loads((FIXTURES / "quiz_small.json").read_text())
    document["questions"][0]["choices"][1]["correct"] = False  # no right answer left
    document["questions"][2]["category"] = "nope"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    code, out, _ = run(capsys, "content", "validate", str(path))
    lines = out.strip().splitlines()
    assert code == 1
    assert f"{path}: $.questions[0].choices: A single-answer question needs exactly one correct choice (found 0)." in lines
    assert any(line.startswith(f"{path}: $.questions[2].category: Unknown category") for line in lines)


def test_unreadable_or_unknown_documents_are_reported_not_crashed(capsys, tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"schema": "something/1"}')
    code, out, _ = run(capsys, "content", "validate", str(bad_json), str(unknown), str(tmp_path / "missing.json"))
    assert code == 1
    assert f"{bad_json}: $: not valid JSON" in out
    assert f"{unknown}: $.schema: unknown document kind" in out
    assert "missing.json: $: cannot read the file" in out


def test_stats_json_counts_every_kind_per_language(capsys):
    code, out, _ = run(capsys, "content", "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert set(stats) == {"risk_quiz", "hallucination_detector", "prompt_sandbox", "skills_map", "charter", "use_case"}
    assert stats["charter"]["en"]["questions"] == stats["charter"]["fr"]["questions"] == 10
    for lang in ("en", "fr"):
        quiz = stats["risk_quiz"][lang]
        assert quiz["questions"] >= 36
        assert set(quiz["categories"]) == {"hallucinations", "bias", "data_protection", "ethics_transparency", "environment", "charter"}
    assert set(stats["hallucination_detector"]["en"]) >= {"items"}
    assert set(stats["prompt_sandbox"]["fr"]) >= {"scenarios"}
    assert stats["use_case"]["fr"]["survey_items"] == stats["use_case"]["en"]["survey_items"] == 6
