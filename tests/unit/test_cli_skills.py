"""``ldai skills gap``: JSON in on stdin, the report out; a wrong input is one line naming where, exit 1."""

from __future__ import annotations

import io
import json

import pytest

from ldai_xblocks.cli import main


def run(capsys, monkeypatch, stdin: str, *argv: str):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["skills", "gap", "--now", "2026-12-01T09:00:00Z", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_gap_prints_every_competence_of_the_profile_and_the_priorities(capsys, monkeypatch):
    request = {
        "job": "finance",
        "self": {"prompting": 1, "report-automation": 0, "anomaly-detection": 1},
        "evidence": [{"competence": "output-verification", "score": 1.0, "at": "2026-11-30T09:00:00Z"}],
    }
    code, out, err = run(capsys, monkeypatch, json.dumps(request))
    assert code == 0, err
    report = json.loads(out)
    rows = {row["id"]: row for row in report["competences"]}
    assert set(rows["prompting"]) >= {"id", "target", "self", "evidenced", "confidence", "gap"}
    assert rows["prompting"]["self"] == 1 and rows["prompting"]["evidenced"] is None
    assert rows["output-verification"]["evidenced"] == 3.0 and rows["output-verification"]["gap"] == 0.0
    assert rows["data-protection"]["gap"] is None  # nothing known: unknown, not 0
    # report-automation: (2 - 0) x 3 = 6, the largest weighted gap
    assert report["priorities"][0] == "report-automation"


def test_french_framework_and_the_same_numbers(capsys, monkeypatch):
    request = json.dumps({"job": "hr", "self": {"bias-fairness": 1}})
    _, english, _ = run(capsys, monkeypatch, request)
    code, french, _ = run(capsys, monkeypatch, request, "--lang", "fr")
    assert code == 0 and json.loads(french) == json.loads(english)


@pytest.mark.parametrize(("stdin", "message"), [
    ("{", "stdin is not valid JSON"),
    ('["finance"]', "$: the input is a JSON object"),
    ('{"job": "astronaut"}', "$.job: unknown job profile 'astronaut'"),
    ('{"job": "sales", "self": {"prompting": 5}}', "$.self.prompting: a level is a whole number from 0 to 3"),
    ('{"job": "sales", "evidence": [{"competence": "prompting", "score": 2, "at": "2026-01-01"}]}', "$.evidence[0].score: a score is a number between 0 and 1"),
    ('{"job": "sales", "evidence": [{"competence": "prompting", "score": 1, "at": "yesterday"}]}', "$.evidence[0].at: a moment is an ISO 8601 text"),
    ('{"job": "sales", "evidence": [{"competence": "telepathy", "score": 1, "at": "2026-01-01"}]}', "$.evidence[0].competence: unknown competence"),
])
def test_a_wrong_input_names_its_place_and_exits_1(capsys, monkeypatch, stdin, message):
    code, out, err = run(capsys, monkeypatch, stdin)
    assert code == 1 and out == ""
    assert message in err


def test_a_broken_framework_file_is_reported(capsys, monkeypatch, tmp_path):
    path = tmp_path / "framework.json"
    path.write_text('{"schema": "ldai.skills_map/1"}')
    code, _, err = run(capsys, monkeypatch, '{"job": "sales"}', "--framework", str(path))
    assert code == 1 and "the framework is not valid" in err


def write_report(path, rows):
    """Rows as Open edX's instructor dashboard writes the Problem Responses report (one column per key)."""
    import csv

    columns = ["username", "title", "location", "Job family", "Competence", "Target", "Self-assessed level", "Level", "Weighted gap", "Seen at"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({"title": "My AI skills map", "location": "block-v1:Org+C+R+type@ldai_skills_map+block@map", **row})


def test_cohort_turns_the_open_edx_report_into_the_heat_map_csv(capsys, tmp_path):
    rows = []
    for number in range(3):
        rows.append({"username": f"fin{number}", "Job family": "finance", "Competence": "report-automation", "Target": 2, "Level": 1.0})
        rows.append({"username": f"fin{number}", "Job family": "finance", "Competence": "prompting", "Target": 2, "Level": None})
    rows.append({"username": "hr0", "Job family": "hr", "Competence": "talent-mapping", "Target": 2, "Level": 0.0})
    report = tmp_path / "problem_responses.csv"
    write_report(report, rows)
    assert main(["skills", "cohort", str(report), "--min-group", "3"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "Job family,Competence,Target level,Learners in the job family,Learners with a known level,Mean gap (levels),Below target (%)"
    assert "Finance,Automating reports,2,3,3,1.00,100" in lines
    assert "Finance,Writing prompts,2,3,0,," in lines  # nobody's level known: no figure
    assert not any(line.startswith("Human resources") for line in lines) and "hidden (fewer than 3 learners): hr" in captured.err
    assert main(["skills", "cohort", str(report), "--lang", "fr", "--min-group", "3"]) == 0
    assert "Finance,Automatiser les rapports,2,3,3,1.00,100" in capsys.readouterr().out


def test_cohort_refuses_a_report_of_another_activity(capsys, tmp_path):
    other = tmp_path / "quiz.csv"
    other.write_text("username,Question,Answer\nada,Q1,A\n", encoding="utf-8")
    assert main(["skills", "cohort", str(other)]) == 1
    assert "is not a skills-map report" in capsys.readouterr().err
