"""``ldai analyze-prompt`` and ``ldai scan-sensitive`` through the real entry point, text on stdin."""

from __future__ import annotations

import io
import json

import pytest

from ldai_xblocks.cli import main

CRITERION_KEYS = {"id", "met", "score", "evidence", "advice"}


def _run(monkeypatch, capsys, stdin, *args):
    stream = io.TextIOWrapper(io.BytesIO(stdin if isinstance(stdin, bytes) else stdin.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stream)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_prompt_prints_the_documented_shape(monkeypatch, capsys):
    prompt = "You are a senior buyer. Write an e-mail to our supplier about the late delivery, at most 120 words, firm but polite tone. My number: 06 12 34 56 78."
    code, out, err = _run(monkeypatch, capsys, prompt, "analyze-prompt")
    assert code == 0 and not err
    result = json.loads(out)
    assert {"lang", "score", "criteria", "sensitive", "advice"} <= set(result)
    assert result["lang"] == "en" and 0 <= result["score"] <= 100
    assert [c["id"] for c in result["criteria"]] == ["task", "context", "role", "audience", "format", "constraints", "examples", "tone"]
    assert all(set(c) == CRITERION_KEYS for c in result["criteria"])
    role = next(c for c in result["criteria"] if c["id"] == "role")
    assert role["met"] and prompt[role["evidence"]["start"]:role["evidence"]["end"]] == role["evidence"]["text"]
    assert result["sensitive"] == [{"kind": "phone", "start": prompt.index("06"), "end": len(prompt) - 1}]
    assert result["advice"]


def test_analyze_prompt_in_french_with_a_scenario(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "Rédige la relance de la facture.", "analyze-prompt", "--scenario", "fin-relance-impaye")
    assert code == 0
    result = json.loads(out)
    assert result["lang"] == "fr"
    audience = next(c for c in result["criteria"] if c["id"] == "audience")
    assert "comptabilité fournisseurs" in audience["advice"]  # the scenario's own terms


def test_analyze_prompt_lang_flag_and_terms(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "Write to Société Générale about the invoice", "analyze-prompt", "--lang", "fr", "--term", "societe generale")
    result = json.loads(out)
    assert code == 0 and result["lang"] == "fr"
    assert [f["kind"] for f in result["sensitive"]] == ["term"]


def test_scan_sensitive_lists_findings_without_the_text(monkeypatch, capsys):
    text = "IBAN FR76 3000 6000 0112 3456 7890 189, client Acme"
    code, out, _ = _run(monkeypatch, capsys, text, "scan-sensitive", "--term", "Acme")
    assert code == 0
    findings = json.loads(out)
    assert [f["kind"] for f in findings] == ["iban", "term"]
    assert all(set(f) == {"kind", "start", "end"} for f in findings)
    code, out, _ = _run(monkeypatch, capsys, text, "scan-sensitive", "--term", "Acme", "--with-text")
    assert json.loads(out)[1]["text"] == "Acme"


def test_scan_sensitive_redacts(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "Mail jo@acme.fr about Projet Hélios", "scan-sensitive", "--redact", "--term", "projet helios")
    assert code == 0 and out == "Mail [EMAIL] about [TERM]\n"


@pytest.mark.parametrize(
    "stdin, args, message",
    [
        ("", ("scan-sensitive",), "standard input is empty"),
        ("   \n", ("analyze-prompt",), "standard input is empty"),
        (b"\xff\xfe\x00", ("scan-sensitive",), "not UTF-8"),
        ("hello", ("analyze-prompt", "--scenario", "no-such-scenario"), "unknown scenario"),
        ("hello", ("scan-sensitive", "--term", "x"), "at least two characters"),
        ("x" * 200_001, ("scan-sensitive",), "too long"),
    ],
)
def test_bad_input_exits_non_zero_with_one_clear_line(monkeypatch, capsys, stdin, args, message):
    code, out, err = _run(monkeypatch, capsys, stdin, *args)
    assert code != 0 and out == ""
    assert message in err and err.count("\n") == 1 and err.startswith(f"ldai {args[0]}:")


def test_bad_lang_is_refused_by_argparse(monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run(monkeypatch, capsys, "hello", "analyze-prompt", "--lang", "de")
    assert exit_info.value.code == 2
