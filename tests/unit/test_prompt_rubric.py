"""The offline prompt rubric, on prompts employees actually write, in English and French.

Each case lists the criteria that must be *met* (score 2, clear); every other
criterion must not be. A few cases also pin partial scores (1) where the point of
the case is the difference between "present but vague" and "clear".
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine.prompt_rubric import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    analyze,
    apply_adjustments,
    criteria_gained,
    detect_language,
    total_score,
)

ALL = set(CRITERIA)

CASES = [
    # --- English -------------------------------------------------------------------------------
    ("en-ideas", "en", "Give me ideas", set(), {"task": 1}),
    ("en-email", "en", "Write an email", set(), {"task": 1}),
    ("en-purchasing-is-context", "en",
     "I work in purchasing. Write an email to our supplier about the late delivery of the March order.",
     {"task", "context", "audience"}, {"role": 0}),
    ("en-as-a-self", "en", "As a sales rep, I need a follow-up email for the client after yesterday's demo.",
     {"task", "audience"}, {"role": 0, "context": 1}),
    ("en-narrative-context", "en",
     "Yesterday we demonstrated our planning software to a transport company. Write the follow-up e-mail to their operations director.",
     {"task", "context", "audience"}, {"role": 0}),
    ("en-as-a-role", "en", "As a senior sales coach, write a follow-up email to the prospect after yesterday's demo of our CRM.",
     {"task", "role", "audience"}, {}),
    ("en-full-brief", "en",
     "You are an experienced B2B marketing manager. We are launching a new range of garden furniture for small hotels "
     "next month. Write a campaign brief for our creative agency, in a table with columns objective, target, key message, "
     "channels and budget. At most 300 words, do not invent figures. Use a confident, warm tone. Here is an example of a "
     "brief we liked: \"Objective: raise awareness of the spring range among 200 boutique hotels.\"",
     ALL, {}),
    ("en-short-detailed", "en",
     "Act as a financial controller. Write a short but detailed variance analysis note for the CFO explaining why Q3 "
     "marketing spend is 12% over budget. Use bullet points.",
     {"task", "role", "audience", "format"}, {"constraints": 0, "context": 1}),
    ("en-job-ad", "en",
     "Write a job ad for a warehouse team leader. Make it inclusive and avoid gendered words. Include salary range and "
     "remote policy. Format: title, 3 sections (role, profile, benefits).",
     {"task", "format", "constraints"}, {"audience": 0}),
    ("en-question", "en", "What are the main risks of the new supplier contract we signed with a logistics provider?",
     {"task", "context"}, {}),
    ("en-agenda-formal-casual", "en",
     "Prepare the agenda for Monday's team meeting: 45 minutes, timetable with time slots, topics: Q3 results, "
     "holiday planning, new safety rules. Keep it formal and casual.",
     {"task", "format", "constraints"}, {"tone": 1}),
    ("en-summarise-doc", "en", "Summarise this report for me please, make it good and interesting.",
     {"task"}, {"context": 0, "format": 0}),
    ("en-handover", "en",
     "You are a production supervisor. Last night line 2 stopped for 40 minutes and a batch of 1,200 cartons is on hold. "
     "Write the shift handover for the morning team leader as bullet points, under 100 words, neutral tone.",
     {"task", "role", "context", "audience", "format", "constraints", "tone"}, {}),
    ("en-generic-assistant", "en", "You are a helpful assistant. Write a LinkedIn post about our new warehouse robots.",
     {"task"}, {"role": 1}),
    ("en-professional-only", "en", "Draft a professional reply to a customer complaint about a damaged parcel received yesterday.",
     {"task", "audience"}, {"tone": 1}),
    ("en-structured-only", "en", "Write a well organised summary of the quarterly sales figures for the regional managers.",
     {"task", "audience"}, {"format": 1}),
    ("en-pointing-to-example", "en", "Write a thank-you note to the volunteers in the style of our last newsletter.",
     {"task", "audience"}, {"examples": 1}),
    ("en-for-instance", "en",
     "Suggest 5 names for our new recycling programme, for example something like GreenLoop. Keep them short.",
     {"task", "constraints"}, {"examples": 1}),
    ("en-sources", "en",
     "Using only the attached policy, list the steps an employee must follow to claim travel expenses. Do not invent rules.",
     {"task", "constraints"}, {}),
    ("en-you-are-going", "en", "You are going to help me write a speech for the retirement party of a colleague.",
     {"task"}, {"role": 0}),
    # --- French -------------------------------------------------------------------------------
    ("fr-mail", "fr", "Rédige un mail", set(), {"task": 1}),
    ("fr-truc", "fr", "Fais-moi un truc sympa pour la réunion", set(), {"task": 1}),
    ("fr-full-annonce", "fr",
     "Tu es un responsable RH expérimenté. Nous recrutons un technicien de maintenance pour notre usine de Lyon. "
     "Rédige une annonce inclusive, destinée aux candidats en reconversion, en trois parties (missions, profil, "
     "avantages), 250 mots maximum, sur un ton chaleureux et direct. Voici un exemple d'accroche qui nous plaît : "
     "« Vous aimez comprendre pourquoi une machine s'arrête ? »",
     ALL, {}),
    ("fr-en-tant-que-soi", "fr",
     "En tant que chef d'équipe, je dois préparer la passation de consignes. Résume les incidents de la nuit pour "
     "l'équipe du matin sous forme de liste à puces.",
     {"task", "audience", "format"}, {"role": 0}),
    ("fr-en-tant-que-role", "fr",
     "En tant que juriste spécialisé en droit du travail, explique les règles du télétravail à nos managers de proximité.",
     {"task", "role", "audience"}, {}),
    ("fr-tu-es-sans-article", "fr",
     "Tu es contrôleur de gestion senior. Analyse l'écart de 36 k€ sur les frais de transport du T2 pour le directeur financier.",
     {"task", "role", "audience"}, {}),
    ("fr-je-travaille", "fr",
     "Je travaille aux achats dans une PME de 80 salariés. Écris un courriel à notre fournisseur pour renégocier les délais de paiement.",
     {"task", "context", "audience"}, {"role": 0}),
    ("fr-court-detaille", "fr",
     "Fais une note courte mais détaillée sur les ventes du trimestre pour le comité de direction, en trois parties.",
     {"task", "audience", "format"}, {"constraints": 0}),
    ("fr-vouvoiement", "fr",
     "Rédige une réponse à la réclamation d'un client mécontent d'un retard de livraison, avec vouvoiement, sans promettre de remise.",
     {"task", "audience", "tone", "constraints"}, {}),
    ("fr-question", "fr", "Quels sont les avantages et les inconvénients du flex office pour une équipe commerciale ?",
     {"task"}, {}),
    ("fr-pro-seul", "fr", "Écris un message professionnel pour souhaiter la bienvenue au nouveau stagiaire du service comptable.",
     {"task"}, {"tone": 1}),
    ("fr-planning", "fr",
     "Propose un planning de formation sur deux jours pour les nouveaux opérateurs, sous forme de tableau avec créneaux "
     "horaires, 6 heures par jour maximum.",
     {"task", "audience", "format", "constraints"}, {}),
    ("fr-exemple-colle", "fr",
     "Rédige trois posts LinkedIn sur notre salon. Exemple : « Retrouvez-nous hall 4, stand B12, pour découvrir notre capteur sans fil. »",
     {"task", "examples"}, {}),
    ("fr-par-exemple", "fr",
     "Donne-moi des noms pour notre nouvelle gamme de chaises, par exemple des noms d'arbres.",
     {"task"}, {"examples": 1}),
    ("fr-concis", "fr", "Résume ce compte rendu de réunion de façon concise pour mon équipe.",
     {"task", "audience"}, {"constraints": 1}),
    ("fr-agis-comme", "fr",
     "Agis comme un coach en négociation. L'acheteur demande 12 % de remise alors que ma limite est 4 %. Prépare-moi "
     "une fiche avec les objections probables et mes réponses, ton calme et assertif.",
     {"task", "role", "context", "tone"}, {}),
    # A list is an explicit structure; the verb "list"/"liste" alone is the task, not a format.
    ("en-with-a-list", "en", "Write a follow-up email with a list of next steps.", {"task", "format"}, {"format": 2}),
    ("en-list-verb", "en", "List the risks of the project.", set(), {"format": 0}),
    ("fr-avec-une-liste", "fr", "Rédige un e-mail de relance, avec une liste des prochaines étapes.", {"task", "format"}, {"format": 2}),
    ("fr-liste-verbe", "fr", "Liste les risques du projet.", set(), {"format": 0}),
]


@pytest.mark.parametrize("case_id, lang, prompt, met, scores", CASES, ids=[c[0] for c in CASES])
def test_criteria_met_on_real_prompts(case_id, lang, prompt, met, scores):
    result = analyze(prompt, lang=lang)
    actually_met = {c.id for c in result.criteria if c.met}
    assert actually_met == met, f"{case_id}: met {sorted(actually_met)}, expected {sorted(met)}"
    for criterion, expected in scores.items():
        assert result.criterion(criterion).score == expected, f"{case_id}: {criterion}"


def test_enough_cases_in_both_languages():
    assert len(CASES) >= 30
    assert {lang for _, lang, *_ in CASES} == {"en", "fr"}


@pytest.mark.parametrize("case_id, lang, prompt, met, scores", CASES, ids=[c[0] for c in CASES])
def test_evidence_points_into_the_prompt(case_id, lang, prompt, met, scores):
    for criterion in analyze(prompt, lang=lang).criteria:
        if criterion.score:
            evidence = criterion.evidence
            assert evidence is not None and 0 <= evidence.start < evidence.end <= len(prompt)
            assert prompt[evidence.start:evidence.end] == evidence.text
            assert criterion.advice == "" if criterion.met else criterion.advice
        else:
            assert criterion.evidence is None and criterion.advice


@pytest.mark.parametrize(
    "prompt, lang",
    [
        ("Write an email to our supplier about the late delivery and keep it short.", "en"),
        ("Rédige un courriel à notre fournisseur au sujet du retard de livraison, de façon brève.", "fr"),
        ("Can you summarise the attached report for the board?", "en"),
        ("Peux-tu résumer le rapport joint pour le comité de direction ?", "fr"),
        ("Tu es un expert", "fr"),
    ],
)
def test_language_detection(prompt, lang):
    assert detect_language(prompt) == lang


def test_advice_speaks_the_learners_language_and_uses_scenario_terms():
    scenario = {"hints": {"audience": "« destiné au chef d'équipe du matin »"}}
    result = analyze("Rédige la synthèse de passation de la nuit sur la ligne 2.", lang="fr", scenario=scenario)
    audience = result.criterion("audience")
    assert not audience.met
    assert "chef d'équipe du matin" in audience.advice
    english = analyze("Write the handover summary of the night shift on line 2.", lang="en")
    assert english.criterion("audience").advice.startswith("Say who will read")


def test_flags_vague_words_contradictions_and_too_short():
    kinds = {f.kind for f in analyze("Write something short but detailed", lang="en").flags}
    assert kinds == {"vague", "contradiction", "too_short"}
    [contradiction] = [f for f in analyze("Rédige une réponse formelle mais décontractée au client qui se plaint du retard.", lang="fr").flags if f.kind == "contradiction"]
    assert {s.text for s in contradiction.spans} == {"formelle", "décontractée"}


def test_too_short_caps_every_criterion_at_partial():
    result = analyze("You are a buyer: write a table", lang="en")
    assert max(c.score for c in result.criteria) <= 1


def test_total_uses_the_scenarios_weights():
    prompt = "Write a short summary of the Q3 sales figures for the regional sales managers, as a table."
    plain = analyze(prompt, lang="en")
    weighted = analyze(prompt, lang="en", scenario={"weights": {"format": 10, "task": 0, "audience": 0, "constraints": 0, "context": 0, "role": 0, "examples": 0, "tone": 0}})
    assert weighted.score == 100
    assert plain.score == total_score(plain.scores(), DEFAULT_WEIGHTS)


@pytest.mark.parametrize(
    "scores, expected",
    [({c: 2 for c in CRITERIA}, 100), ({}, 0), ({"task": 2}, round(100 * 3 * 2 / 28)), ({"task": 1, "tone": 2}, round(100 * 5 / 28))],
)
def test_total_score_table(scores, expected):
    assert total_score(scores) == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(CRITERIA), st.integers(-3, 5)), st.dictionaries(st.sampled_from(CRITERIA), st.floats(0, 10)))
def test_total_is_always_between_0_and_100(scores, weights):
    assert 0 <= total_score(scores, weights) <= 100


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_a_well_formed_result(text):
    result = analyze(text)
    assert result.lang in ("en", "fr")
    assert 0 <= result.score <= 100
    assert [c.id for c in result.criteria] == list(CRITERIA)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(CRITERIA), st.integers(-5, 5)))
def test_adjustments_move_each_criterion_by_at_most_one_step(adjustments):
    base = analyze("Write a short email to the client about the delay, in a friendly tone.", lang="en")
    adjusted = apply_adjustments(base, adjustments)
    for before, after in zip(base.criteria, adjusted.criteria, strict=True):
        assert abs(after.score - before.score) <= 1
    assert adjusted.score == total_score(adjusted.scores())


def test_criteria_gained_between_attempts():
    first = analyze("Write an email to the supplier.", lang="en").scores()
    best = analyze("You are a senior buyer. Write an email to our supplier about the late delivery, at most 120 words, firm but polite tone.", lang="en").scores()
    gained = criteria_gained(first, best)
    assert {"role", "constraints", "tone"} <= set(gained)
