"""The competence framework and job profiles (issue 14, item 1): schema, semantic rules, EN/FR parity, the CLI."""

from __future__ import annotations

import copy
import json

import pytest

from ldai_xblocks.cli import main
from ldai_xblocks.content import load_pack, validate
from ldai_xblocks.content.packs import JOB_FAMILIES

LEVELS = 4


@pytest.fixture(params=["en/ai-at-work", "fr/ai-at-work"])
def framework(request) -> dict:
    return copy.deepcopy(load_pack("skills_map", request.param))


def test_default_framework_has_12_to_20_competences_with_four_behavioural_levels(framework):
    competences = framework["competences"]
    assert 12 <= len(competences) <= 20
    for competence in competences:
        assert len(competence["levels"]) == LEVELS
        assert len(set(competence["levels"])) == LEVELS, competence["id"]  # four different behaviours
        assert competence["refs"], competence["id"]


def test_every_reference_framework_has_its_licence_noted(framework):
    assert {ref["id"] for ref in framework["references"]} == {"digcomp", "unesco", "ai_act"}
    assert all("2011/833" in ref["licence"] or "CC BY" in ref["licence"] for ref in framework["references"])


def test_a_profile_for_each_job_family_naming_known_competences(framework):
    known = {c["id"] for c in framework["competences"]}
    assert {p["id"] for p in framework["job_profiles"]} == set(JOB_FAMILIES)
    for profile in framework["job_profiles"]:
        assert set(profile["targets"]) <= known


def test_english_and_french_frameworks_describe_the_same_competences_targets_and_evidence():
    en, fr = load_pack("skills_map", "en/ai-at-work"), load_pack("skills_map", "fr/ai-at-work")
    assert [c["id"] for c in en["competences"]] == [c["id"] for c in fr["competences"]]
    assert [c["refs"] for c in en["competences"]] == [c["refs"] for c in fr["competences"]]
    assert [(p["id"], p["targets"]) for p in en["job_profiles"]] == [(p["id"], p["targets"]) for p in fr["job_profiles"]]
    assert en["evidence"] == fr["evidence"]
    assert [c["name"] for c in en["competences"]] != [c["name"] for c in fr["competences"]]


@pytest.mark.parametrize(("mutate", "path", "words"), [
    (lambda d: d["competences"][1].update(id=d["competences"][0]["id"]), "$.competences[1].id", "used twice"),
    (lambda d: d["job_profiles"][0]["targets"].update({"telepathy": {"level": 2, "weight": 1}}), "$.job_profiles[0].targets.telepathy", "Unknown competence"),
    (lambda d: d["evidence"][0]["competences"].append("telepathy"), "$.evidence[0].competences[2]", "Unknown competence"),
    (lambda d: d["evidence"].append(dict(d["evidence"][0])), None, "already mapped"),
    (lambda d: d["job_profiles"][0].update(targets={"prompting": {"level": 0, "weight": 2}}), "$.job_profiles[0].targets", "at least one competence"),
    (lambda d: d["competences"][0]["levels"].pop(), "$.competences[0].levels", "at least 4"),
    (lambda d: d["job_profiles"][0]["targets"]["prompting"].update(level=4), "$.job_profiles[0].targets.prompting.level", "at most 3"),
])
def test_an_authors_mistake_is_named_with_its_json_path(framework, mutate, path, words):
    mutate(framework)
    problems = validate("skills_map", framework)
    assert problems, "the broken document was accepted"
    assert any(words in p.message and (path is None or p.path == path) for p in problems), problems


def test_cli_validates_the_new_kind_and_reports_its_stats(capsys, tmp_path, framework):
    path = tmp_path / "map.json"
    path.write_text(json.dumps(framework, ensure_ascii=False), encoding="utf-8")
    assert main(["content", "validate", str(path)]) == 0
    framework["job_profiles"][0]["targets"]["nope"] = {"level": 1, "weight": 1}
    path.write_text(json.dumps(framework), encoding="utf-8")
    capsys.readouterr()
    assert main(["content", "validate", str(path)]) == 1
    assert "$.job_profiles[0].targets.nope: Unknown competence" in capsys.readouterr().out
    assert main(["content", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)["skills_map"]
    for lang in ("en", "fr"):
        assert stats[lang]["competences"] == 20
        assert stats[lang]["job_profiles"] == sorted(JOB_FAMILIES)
