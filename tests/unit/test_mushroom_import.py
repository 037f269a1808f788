"""The Mu-SHROOM importer, on a small hand-made file in the Mu-SHROOM format."""

from __future__ import annotations

import json

import pytest

from ldai_xblocks.cli import main
from ldai_xblocks.content import validate
from ldai_xblocks.content.mushroom import DEFAULT_KIND, MushroomError, convert_file

EN_TEXT = "Marie Curie won three Nobel Prizes, in 1903 and 1911."
FR_TEXT = "La tour Eiffel mesure 450 mètres et date de 1889."


def _record(**overrides):
    record = {
        "id": "val-en-1",
        "lang": "EN",
        "model_input": "How many Nobel Prizes did Marie Curie win?",
        "model_output_text": EN_TEXT,
        "model_id": "some/model",
        "soft_labels": [{"start": 16, "prob": 0.8, "end": 21}],
        "hard_labels": [[16, 21]],
    }
    record.update(overrides)
    return record


def _write(tmp_path, lines, name="sample.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    return path


def test_records_become_a_valid_pack(tmp_path):
    path = _write(tmp_path, [
        _record(),
        _record(id="val-en-2", hard_labels=[[0, 5], [3, 11], [22, 26]]),  # overlapping labels merge
        _record(id="val-en-3", hard_labels=[]),
    ])
    pack = convert_file(path, "curie", "Nobel facts", None)
    assert validate("hallucination_detector", pack) == []
    assert (pack["id"], pack["lang"], pack["title"]) == ("curie", "en", "Nobel facts")
    assert [item["id"] for item in pack["items"]] == ["val-en-1", "val-en-2", "val-en-3"]
    first = pack["items"][0]
    assert first["prompt"] == "How many Nobel Prizes did Marie Curie win?"
    assert first["text"] == EN_TEXT
    assert [(h["start"], h["end"], h["quote"]) for h in first["hallucinations"]] == [(16, 21, "three")]
    assert first["hallucinations"][0]["kind"] == DEFAULT_KIND
    assert first["hallucinations"][0]["explanation"].startswith("To explain:")
    assert first["hallucinations"][0]["correction"].startswith("To correct:")
    assert [(h["start"], h["end"]) for h in pack["items"][1]["hallucinations"]] == [(0, 11), (22, 26)]
    assert pack["items"][2]["hallucinations"] == []


def test_labels_are_trimmed_to_visible_characters(tmp_path):
    path = _write(tmp_path, [_record(hard_labels=[[15, 22], [35, 36]])])  # " three ", and a lone space
    hallucinations = convert_file(path, "x", None, None)["items"][0]["hallucinations"]
    assert [(h["start"], h["end"]) for h in hallucinations] == [(16, 21)]


def test_bad_lines_are_skipped_with_their_number(tmp_path, caplog):
    path = _write(tmp_path, [
        _record(),
        "{not json",
        _record(id="val-en-4", hard_labels=[[10, 999]]),
        _record(id="val-en-5", model_output_text=""),
        _record(id="val-en-6", hard_labels=[["a", 3]]),
        ["a", "list"],
        "",
        _record(id="val-en-1"),  # a repeated id gets a suffix
    ])
    pack = convert_file(path, "x", None, None)
    assert [item["id"] for item in pack["items"]] == ["val-en-1", "val-en-1-2"]
    for number in (2, 3, 4, 5, 6):
        assert f"line {number}:" in pack["description"]
        assert f"line {number}:" in caplog.text
    assert "past the end of the text" in pack["description"]


def test_language_filter_and_mixed_files(tmp_path):
    path = _write(tmp_path, [
        _record(),
        _record(id="val-fr-1", lang="FR", model_input="Quelle est la hauteur de la tour Eiffel ?",
                model_output_text=FR_TEXT, hard_labels=[[22, 32]]),
    ])
    with pytest.raises(MushroomError, match="--lang"):
        convert_file(path, "x", None, None)
    french = convert_file(path, "x", None, "fr")
    assert french["lang"] == "fr"
    assert [h["quote"] for h in french["items"][0]["hallucinations"]] == ["450 mètres"]


@pytest.mark.parametrize(
    ("lines", "pack_id", "lang", "message"),
    [
        ([], "x", None, "nothing to import"),
        (["{bad"], "x", None, "line 1"),
        ([_record(lang="DE")], "x", None, "not supported"),
        ([_record()], "x", "fr", "nothing to import"),
        ([_record()], "Bad Id!", None, "pack id"),
        ([_record()], "x", "de", "not supported"),
    ],
)
def test_unusable_files_raise_a_clear_error(tmp_path, lines, pack_id, lang, message):
    path = _write(tmp_path, lines) if lines else tmp_path / "empty.jsonl"
    if not lines:
        path.write_text("\n", encoding="utf-8")
    with pytest.raises(MushroomError, match=message):
        convert_file(path, pack_id, None, lang)


def test_the_cli_writes_the_pack(tmp_path, capsys):
    path = _write(tmp_path, [_record()])
    output = tmp_path / "pack.json"
    assert main(["content", "import-mushroom", str(path), "--id", "nobel", "-o", str(output)]) == 0
    pack = json.loads(output.read_text(encoding="utf-8"))
    assert pack["id"] == "nobel" and pack["title"] == "Imported from sample.jsonl"
    assert main(["content", "validate", str(output)]) == 0
    assert main(["content", "import-mushroom", str(tmp_path / "missing.jsonl")]) == 1
    assert "missing.jsonl" in capsys.readouterr().err
