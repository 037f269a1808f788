"""The sandbox rubric bugs of issue 12, one table each.

- a client's name in the prompt was credited as context instead of flagged: every default
  scenario now ships its fictional names as confidential terms, and confidential spans are
  never credited (nor highlighted) as context;
- a criterion weighted 0 was still advised;
- "if something is missing, say so" / "si une information manque, dis-le" was called vague;
- "under 300 words" is a length, i.e. a *constraint* ("explicit rules: length…" in
  docs/prompt-sandbox.rst), never a format; a structural count ("5 bullet points") is format
  and is not credited a second time as a constraint.
"""

from __future__ import annotations

import pytest

from ldai_xblocks.content import list_packs, load_pack
from ldai_xblocks.engine.prompt_feedback import give_feedback
from ldai_xblocks.engine.prompt_rubric import CRITERIA, analyze, apply_adjustments

NEUTRAL_REQUEST = {"en": "Write the e-mail for the client.", "fr": "Rédige le mail pour le client."}
CONTEXT_LABEL = {"en": "Context: {}.", "fr": "Contexte : {}."}


def _scenarios():
    for info in list_packs("prompt_sandbox"):
        for scenario in load_pack("prompt_sandbox", info.ref)["scenarios"]:
            yield pytest.param(info.lang, scenario, id=scenario["id"])


def _term_cases():
    for param in _scenarios():
        lang, scenario = param.values
        for term in scenario.get("confidential_terms") or []:
            yield pytest.param(lang, scenario, term, id=f"{scenario['id']}:{term}")


@pytest.mark.parametrize("lang, scenario", list(_scenarios()))
def test_every_scenario_with_contact_details_ships_its_fictional_names(lang, scenario):
    sample = scenario.get("sample_data") or ""
    terms = scenario.get("confidential_terms") or []
    if "@" in sample or "CRM" in sample or "Client" in sample or "Operator" in sample or "Intérimaire" in sample:
        assert terms, f"{scenario['id']}: the sample data names people or organisations but ships no confidential terms"
    for term in terms:
        assert term.casefold() in sample.casefold(), f"{scenario['id']}: {term!r} is not a name of the sample data"


@pytest.mark.parametrize("lang, scenario, term", list(_term_cases()))
def test_a_confidential_name_given_as_context_is_flagged_not_credited(lang, scenario, term):
    prompt = CONTEXT_LABEL[lang].format(term) + " " + NEUTRAL_REQUEST[lang]
    feedback = give_feedback(prompt, lang=lang, scenario=scenario)
    flagged = [(f.start, f.end) for f in feedback.findings if f.kind == "term"]
    start = prompt.index(term)
    assert any(s <= start < e for s, e in flagged), f"{term!r} is not flagged"
    assert feedback.rubric.criterion("context").score == 0, f"{term!r} was credited as context"


@pytest.mark.parametrize(
    "lang, prompt, terms",
    [
        ("en", "Our client Ferronnerie Dubreuil has not paid invoice 2024-118 (€12,400, 45 days late). Write a firm reminder.",
         ["Ferronnerie Dubreuil", "Dubreuil"]),
        ("fr", "Hier, nous avons présenté notre logiciel à Électro Distribution Ouest et Pierre Vasseur a aimé les inventaires. "
               "Rédige la relance.", ["Électro Distribution Ouest", "Pierre Vasseur"]),
        ("en", "Background: Transports Morel wants a pilot. Luc Morel worries about training 30 dispatchers. Write the follow-up.",
         ["Transports Morel", "Luc Morel"]),
    ],
)
def test_context_evidence_never_runs_into_a_confidential_span(lang, prompt, terms):
    result = analyze(prompt, lang=lang, terms=terms)
    context = result.criterion("context")
    assert context.score >= 1  # the facts around the names still count
    for term in terms:
        assert term not in context.evidence.text


def test_without_the_terms_the_name_would_have_counted():
    """The same prompt with and without the scenario's terms: the name alone was what scored."""
    prompt = "Contexte : Menuiserie Garnier, Jean Garnier. Rédige le mail de relance."
    assert analyze(prompt, lang="fr").criterion("context").score >= 1
    assert analyze(prompt, lang="fr", terms=["Menuiserie Garnier", "Jean Garnier"]).criterion("context").score == 0


@pytest.mark.parametrize("criterion", CRITERIA)
def test_a_criterion_weighted_zero_is_never_advised(criterion):
    weights = {c: 1 for c in CRITERIA} | {criterion: 0}
    scenario = {"weights": weights, "hints": {criterion: "a hint the learner must not see"}}
    result = analyze("Write it.", lang="en", scenario=scenario)
    zero = result.criterion(criterion)
    assert zero.score < 2 and zero.advice == ""
    assert not any("a hint the learner must not see" in advice for advice in result.advice)
    others = [c for c in result.criteria if c.id != criterion and c.score < 2]
    assert others and all(c.advice for c in others)
    adjusted = apply_adjustments(result, {c: -1 for c in CRITERIA}, scenario)
    assert adjusted.criterion(criterion).advice == ""
    assert len(adjusted.advice) == len([c for c in adjusted.criteria if c.advice]) + len(
        [f for f in adjusted.flags if f.kind in ("too_short", "contradiction", "vague")])


@pytest.mark.parametrize(
    "lang, prompt",
    [
        ("en", "Summarise the audit report for the CFO. If something is missing, say so."),
        ("en", "List the open invoices for the CFO; if anything is unclear or things look wrong, tell me."),
        ("fr", "Résume le rapport d'audit pour le DAF. Si une information manque, dis-le."),
        ("fr", "Résume le rapport d'audit pour le DAF. S'il manque quelque chose, dis-le."),
        ("fr", "Prépare le tableau des écarts ; si des choses ne collent pas, signale-les."),
    ],
)
def test_asking_to_report_what_is_missing_is_not_vague(lang, prompt):
    assert [f for f in analyze(prompt, lang=lang).flags if f.kind == "vague"] == []


@pytest.mark.parametrize(
    "lang, prompt, word",
    [("en", "Write something nice for the CFO about the audit report.", "something"),
     ("fr", "Écris quelque chose de sympa pour le DAF sur l'audit.", "quelque chose")],
)
def test_vague_words_outside_a_condition_are_still_pointed_out(lang, prompt, word):
    [vague] = [f for f in analyze(prompt, lang=lang).flags if f.kind == "vague"]
    assert word in [s.text for s in vague.spans]


@pytest.mark.parametrize(
    "lang, prompt, constraint, format_score",
    [
        ("en", "Write the variance note for the CFO, under 300 words.", "under 300", 0),
        ("en", "Write the variance note for the CFO in 300 words max.", "300 words", 0),
        ("fr", "Rédige la note d'écarts pour le DAF en moins de 300 mots.", "moins de 300", 0),
        ("fr", "Rédige la note d'écarts pour le DAF, 300 mots maximum.", "300 mots", 0),
        ("en", "Write the variance note for the CFO as a table, under 300 words.", "under 300", 2),
    ],
)
def test_a_length_is_a_constraint_not_a_format(lang, prompt, constraint, format_score):
    result = analyze(prompt, lang=lang)
    assert result.criterion("constraints").score == 2
    assert constraint in result.criterion("constraints").evidence.text
    assert result.criterion("format").score == format_score


@pytest.mark.parametrize(
    "lang, prompt, constraints_score",
    [
        ("en", "Write the variance note for the CFO in 5 bullet points.", 0),
        ("fr", "Rédige la note d'écarts pour le DAF en 5 puces.", 0),
        ("en", "Write the variance note for the CFO in at most 5 bullet points.", 2),
        ("fr", "Rédige la note d'écarts pour le DAF en 3 paragraphes maximum.", 2),
    ],
)
def test_a_structural_count_is_format_and_counts_once(lang, prompt, constraints_score):
    result = analyze(prompt, lang=lang)
    assert result.criterion("format").score == 2
    assert result.criterion("constraints").score == constraints_score


@pytest.mark.parametrize(
    "lang, phrase",
    [("en", p) for p in ("You are an HR partner", "You'll be a coach", "Act as a buyer", "Acting as a lawyer",
                         "Pretend to be a client", "Imagine you're a CFO", "Take on the role of a buyer",
                         "Play the role of a tough buyer", "Assume the role of a coach", "Adopt the persona of a coach",
                         "Put yourself in the shoes of a client", "Your role is to coach", "Role: a coach",
                         "Here is an example of a post", "Here's a sample brief", "Example: hello there, friends",
                         "Sample: hello there", "Model: hello", "e.g.: hello", "Like this: hello", "as follows: hello",
                         "Use this template carefully", "An example of our tone: hello")]
    + [("fr", p) for p in ("Tu es contrôleur", "Vous êtes un coach", "T'es un coach", "Tu seras un coach", "Agis comme un coach",
                           "Agissez en tant que juriste", "Joue le rôle d'un acheteur", "Endosse le rôle d'un coach",
                           "Prends le rôle d'un coach", "Mets-toi dans la peau d'un client", "Imagine que tu es un DAF",
                           "Ton rôle est de conseiller", "Incarne un coach", "Rôle : un coach",
                           "Voici un exemple de post", "Voilà un modèle", "Exemple : bonjour à tous", "Modèle : bonjour",
                           "Comme ceci : bonjour", "sur le modèle suivant", "Inspire-toi de cet exemple",
                           "En vous inspirant de l'exemple", "Un exemple de ton : bonjour")],
)
def test_the_cheap_hints_cover_every_role_and_example_phrase(lang, phrase):
    """The rubric tests a hint word before the full role/examples pattern (speed): never a miss."""
    from ldai_xblocks.engine.prompt_patterns import BY_LANG

    patterns = BY_LANG[lang]
    for full, hint in ((patterns.role, patterns.role_hint), (patterns.examples_strong, patterns.examples_hint)):
        found = full.search(phrase)
        if found:
            assert hint.search(found.group()), (phrase, found.group())
    assert patterns.role.search(phrase) or patterns.examples_strong.search(phrase), phrase
