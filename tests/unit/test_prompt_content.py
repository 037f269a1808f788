"""The prompt-sandbox content: one pack per job family and language, good reference prompts, traps that work."""

from __future__ import annotations

import copy

import pytest

from ldai_xblocks.content import list_packs, load_pack, pack_stats, validate
from ldai_xblocks.engine.prompt_rubric import CRITERIA, analyze, detect_language
from ldai_xblocks.engine.sensitive import scan
from ldai_xblocks.i18n import gettext_for

KIND = "prompt_sandbox"
FAMILIES = ("marketing", "finance", "hr", "production", "sales", "management")
PACKS = list_packs(KIND)
SCENARIOS = [(info.ref, scenario) for info in PACKS for scenario in load_pack(KIND, info.ref)["scenarios"]]
IDS = [f"{ref}/{scenario['id']}" for ref, scenario in SCENARIOS]


def test_one_pack_per_job_family_and_language():
    assert {info.ref for info in PACKS} == {f"{lang}/{family}" for lang in ("en", "fr") for family in FAMILIES}
    for info in PACKS:
        document = load_pack(KIND, info.ref)
        assert document["job_family"] == info.id == info.job_family
        assert document["lang"] == info.lang
        assert len(document["scenarios"]) >= 2


def test_stats_report_scenarios_per_language():
    stats = pack_stats()[KIND]
    for lang in ("en", "fr"):
        assert stats[lang]["scenarios"] >= 12
        assert stats[lang]["job_families"] == sorted(FAMILIES)
    assert len(SCENARIOS) >= 24


def test_scenario_ids_are_unique_across_packs():
    ids = [scenario["id"] for _, scenario in SCENARIOS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("ref", "scenario"), SCENARIOS, ids=IDS)
def test_reference_prompt_scores_high_on_the_rubric(ref, scenario):
    lang = ref.split("/")[0]
    result = analyze(scenario["reference_prompt"], lang=lang, scenario=scenario)
    assert result.score >= 90, [c.id for c in result.criteria if not c.met]
    assert not [f for f in result.flags if f.kind != "vague"]
    assert scan(scenario["reference_prompt"], scenario.get("confidential_terms")) == []


@pytest.mark.parametrize(("ref", "scenario"), SCENARIOS, ids=IDS)
def test_scenario_is_written_in_its_language_with_hints_for_every_criterion(ref, scenario):
    lang = ref.split("/")[0]
    assert scenario.get("lang", lang) == lang
    assert detect_language(scenario["task"] + " " + scenario["context"]) == lang
    assert detect_language(scenario["reference_prompt"]) == lang
    assert set(scenario["hints"]) == set(CRITERIA)


@pytest.mark.parametrize(("ref", "scenario"), [s for s in SCENARIOS if s[1].get("sample_data")], ids=[i for i, s in zip(IDS, SCENARIOS, strict=True) if s[1].get("sample_data")])
def test_sample_data_traps_are_caught_by_the_scan(ref, scenario):
    found = scan(scenario["sample_data"], scenario.get("confidential_terms"))
    assert found, "a trap the scan does not catch teaches nothing"
    charter_kinds = {kind for rule in load_pack(KIND, ref)["charter"] for kind in rule["kinds"]}
    assert {f.kind for f in found} <= charter_kinds


def test_every_finding_kind_has_a_charter_rule_in_every_pack():
    kinds = {"email", "phone", "iban", "payment_card", "fr_nir", "secret", "ip_address", "term"}
    for info in PACKS:
        assert kinds <= {kind for rule in load_pack(KIND, info.ref)["charter"] for kind in rule["kinds"]}


def _document():
    return copy.deepcopy(load_pack(KIND, "en/finance"))


def _paths(document, lang="en"):
    return {problem.path: problem.message for problem in validate(KIND, document, gettext_for(lang))}


def test_duplicate_ids_wrong_family_and_zero_weights_are_reported():
    document = _document()
    document["scenarios"].append(copy.deepcopy(document["scenarios"][0]))
    document["scenarios"][1]["job_family"] = "hr"
    document["scenarios"][0]["weights"] = {c: 0 for c in CRITERIA}
    paths = _paths(document)
    assert "$.scenarios[2].id" in paths
    assert "$.scenarios[1].job_family" in paths
    assert "$.scenarios[0].weights" in paths


def test_leaky_reference_prompt_is_reported_in_french():
    document = _document()
    document["scenarios"][0]["reference_prompt"] += " Send it to jo@client.example."
    paths = _paths(document, "fr")
    assert "$.scenarios[0].reference_prompt" in paths
    assert "email" in paths["$.scenarios[0].reference_prompt"]


def test_charter_kind_listed_twice_is_reported():
    document = _document()
    document["charter"][1]["kinds"].append("email")
    assert "$.charter[1].kinds" in _paths(document)


@pytest.mark.parametrize(
    "mutate, path",
    [
        (lambda d: d["scenarios"][0].pop("reference_prompt"), "$.scenarios[0].reference_prompt"),
        (lambda d: d["scenarios"][0]["weights"].update({"task": 11}), "$.scenarios[0].weights.task"),
        (lambda d: d["scenarios"][0]["hints"].update({"mood": "x"}), "$.scenarios[0].hints.mood"),
        (lambda d: d.update({"job_family": "legal"}), "$.job_family"),
        (lambda d: d["scenarios"][0].update({"success_criteria": []}), "$.scenarios[0].success_criteria"),
    ],
)
def test_schema_problems_name_the_field(mutate, path):
    document = _document()
    mutate(document)
    assert path in _paths(document)
