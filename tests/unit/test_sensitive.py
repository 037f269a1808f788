"""The confidential-data scan: positives and negatives per kind, checksums, terms, redaction.

The negatives matter as much as the positives: a learner told that an order number
is a phone, or a made-up number is a card, stops trusting the warning.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine.sensitive import (
    ENTROPY_THRESHOLD,
    Finding,
    fold,
    iban_valid,
    luhn_valid,
    nir_valid,
    redact,
    scan,
    scan_and_redact,
    shannon_entropy,
    summarise,
)

VALID_IBANS = [
    "FR76 3000 6000 0112 3456 7890 189",
    "FR1420041010050500013M02606",
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "BE68 5390 0754 7034",
]
VALID_CARDS = ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "4012888888881881", "6011 1111 1111 1117"]
VALID_NIRS = ["1 85 05 78 006 084 91", "185057800608491", "2 69 05 2A 004 023 17", "2 69 05 2B 004 023 44", "2 87 06 75 114 052 33"]


def kinds(text: str, terms=None) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text, terms)]


# ------------------------------------------------------------------ positives per kind

@pytest.mark.parametrize(
    "text, kind, matched",
    [
        ("Write to jean.dupont@acme-corp.fr today", "email", "jean.dupont@acme-corp.fr"),
        ("contact: a.b+tag@sub.example.co.uk.", "email", "a.b+tag@sub.example.co.uk"),
        ("Écrivez à élodie.martin@société.fr", "email", "élodie.martin@société.fr"),
        ("Appelez le 06 12 34 56 78 demain", "phone", "06 12 34 56 78"),
        ("tél. 01.23.45.67.89", "phone", "01.23.45.67.89"),
        ("portable 0612345678", "phone", "0612345678"),
        ("call +33 6 12 34 56 78 now", "phone", "+33 6 12 34 56 78"),
        ("call +33 (0)1 23 45 67 89", "phone", "+33 (0)1 23 45 67 89"),
        ("UK office +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("US: +1 (415) 555-0100", "phone", "+1 (415) 555-0100"),
        ("appeler le 0033 6 12 34 56 78", "phone", "0033 6 12 34 56 78"),
        ("mon numéro : 06 12 34 56 78", "phone", "06 12 34 56 78"),
        *[(f"IBAN: {iban} please", "iban", iban) for iban in VALID_IBANS],
        ("iban fr7630006000011234567890189", "iban", "fr7630006000011234567890189"),
        *[(f"card {card} exp 12/26", "payment_card", card) for card in VALID_CARDS],
        *[(f"NIR {nir} ok", "fr_nir", nir) for nir in VALID_NIRS],
        ("key sk-proj-abcDEF1234567890ghijklmnopQRS end", "secret", "sk-proj-abcDEF1234567890ghijklmnopQRS"),
        ("key sk-abcdefghijklmnopqrstuvwxyz123456 end", "secret", "sk-abcdefghijklmnopqrstuvwxyz123456"),
        ("ghp_1234567890abcdefghijABCDEFGHIJ123456", "secret", "ghp_1234567890abcdefghijABCDEFGHIJ123456"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "secret", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("aws AKIAIOSFODNN7EXAMPLE", "secret", "AKIAIOSFODNN7EXAMPLE"),
        ("whsec_abcdefghijklmnopqrstuvwx123", "secret", "whsec_abcdefghijklmnopqrstuvwx123"),
        ("slack xoxb-123456789012-abcdefghijkl", "secret", "xoxb-123456789012-abcdefghijkl"),
        ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "secret", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        ("glpat-abcdefghij1234567890", "secret", "glpat-abcdefghij1234567890"),
        ("token xK9mP2qL8vN4rT6wY1zB3cD5fG7hJ0sA here", "secret", "xK9mP2qL8vN4rT6wY1zB3cD5fG7hJ0sA"),
        ("password: Hunter2!x", "secret", "Hunter2!x"),
        ("mot de passe = azerty123", "secret", "azerty123"),
        ("server 192.168.1.20 is down", "ip_address", "192.168.1.20"),
        ("host 2001:db8::8a2e:370:7334 ok", "ip_address", "2001:db8::8a2e:370:7334"),
        ("loopback fe80::1 ok", "ip_address", "fe80::1"),
    ],
)
def test_finds_each_kind(text, kind, matched):
    found = scan(text)
    assert (kind, matched) in [(f.kind, f.text) for f in found]
    finding = next(f for f in found if f.kind == kind)
    assert text[finding.start:finding.end] == matched


# ------------------------------------------------------------------ negatives

@pytest.mark.parametrize(
    "text",
    [
        "Meeting on 12/05/2024 at 10:30, or 2024-05-12, or 12.05.2024.",
        "The price is 1 234,56 € or $1,299.00 per unit.",
        "Order #0612345678 shipped; commande n° 06 12 34 56 78 livrée.",
        "Invoice 0612345678 and invoice number 06 12 34 56 78 are paid.",
        "Facture 06 12 34 56 78 réglée ; réf. 0145678912.",
        "Amount due: 06 12 34 56 78 €",
        "IBAN FR76 3000 6000 0112 3456 7890 180 is a typo",
        "card 4111 1111 1111 1112 fails Luhn",
        "reference 1234 5678 9012 3456 is not a card",
        "NIR 1 85 05 78 006 084 36 with a wrong key",
        "version 1.2.3.4 and v2.0.1; address 999.1.1.1 and 10:30:00",
        "a MAC address 00:1A:2B:3C:4D:5E",
        "risk-management-framework-2024-final-version-approved",
        "Q3_2024_budget_variance_analysis_final.xlsx",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "the task-force met; sk-notakey; ghp_short",
        "internationalization and responsibilities",
        "password: required",
        "Write a campaign brief for our spring range, at most 300 words.",
        "",
    ],
)
def test_reports_nothing(text):
    assert scan(text) == []


def test_consecutive_phones_are_each_found():
    assert [k for k, _ in kinds("06 12 34 56 78 +44 20 7946 0958 +1 415 555 0100")] == ["phone"] * 3


def test_phone_cue_wins_over_a_reference_word():
    assert kinds("numéro de tél : 06 12 34 56 78") == [("phone", "06 12 34 56 78")]


def test_overlapping_findings_keep_the_stronger_kind():
    text = "IBAN FR7630006000011234567890189"
    assert kinds(text) == [("iban", "FR7630006000011234567890189")]


def test_trailing_word_does_not_break_the_iban():
    assert kinds("IBAN: FR76 3000 6000 0112 3456 7890 189 EUR") == [("iban", "FR76 3000 6000 0112 3456 7890 189")]


# ------------------------------------------------------------------ organisation terms

@pytest.mark.parametrize(
    "text, terms, expected",
    [
        ("Le client Société Générale a appelé", ["societe generale"], ["Société Générale"]),
        ("the HÉLIOS project", ["Hélios"], ["HÉLIOS"]),
        ("projet   helios en cours", ["Projet Hélios"], ["projet   helios"]),
        ("Acme's offer and ACME", ["acme"], ["Acme", "ACME"]),
        ("Acmecorp is not Acme", ["Acme"], ["Acme"]),
        ("Straße und STRASSE", ["strasse"], ["Straße", "STRASSE"]),
        ("Café Noir, cafe noir, CAFÉ NOIR", ["café noir"], ["Café Noir", "cafe noir", "CAFÉ NOIR"]),
        ("nothing here", ["Acme"], []),
        ("ciné Lumière", ["  "], []),
    ],
)
def test_terms_ignore_case_and_accents_on_word_boundaries(text, terms, expected):
    found = scan(text, terms)
    assert [f.text for f in found] == expected
    assert all(f.kind == "term" and text[f.start:f.end] == f.text for f in found)


def test_term_offsets_map_back_with_decomposed_accents():
    text = "Le projet He\u0301lios démarre"  # "é" written as e + combining acute
    [finding] = scan(text, ["hélios"])
    assert text[finding.start:finding.end] == "He\u0301lios"


# ------------------------------------------------------------------ redaction and privacy

def test_redact_uses_placeholders():
    text = "Mail jo@acme.fr, IBAN FR7630006000011234567890189, client Acme."
    findings = scan(text, ["Acme"])
    assert redact(text, findings) == "Mail [EMAIL], IBAN [IBAN], client [TERM]."


def test_finding_repr_and_dict_leave_the_data_out():
    [finding] = scan("mail jo@acme.fr")
    assert "jo@acme.fr" not in repr(finding)
    assert finding.as_dict() == {"kind": "email", "start": 5, "end": 15}
    assert finding.as_dict(with_text=True)["text"] == "jo@acme.fr"
    assert summarise([finding, finding]) == {"email": 2}


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        scan("x", kinds=["passport"])


def test_kinds_filter():
    assert kinds_only("jo@acme.fr 06 12 34 56 78", ["phone"]) == ["phone"]


def kinds_only(text, wanted):
    return [f.kind for f in scan(text, kinds=wanted)]


# ------------------------------------------------------------------ checksums

@pytest.mark.parametrize("iban", [i.replace(" ", "") for i in VALID_IBANS])
def test_iban_checksum(iban):
    assert iban_valid(iban)
    broken = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert not iban_valid(broken)


def test_luhn_and_nir():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert nir_valid("269052A00402317") and not nir_valid("269052A00402318")
    assert nir_valid("2 69 05 2B 004 023 44")


def test_entropy_threshold_is_documented_and_separates_keys_from_words():
    assert shannon_entropy("xK9mP2qL8vN4rT6wY1zB3cD5fG7hJ0sA") >= ENTROPY_THRESHOLD
    assert shannon_entropy("aaaaaaaaaaaaaaaaaaaaaaaa") == 0


# ------------------------------------------------------------------ properties

_filler = st.sampled_from([
    "Please draft the e-mail.", "Le client attend une réponse.", "Budget: 120 000 €.", "Meeting on 12/05/2024.",
    "Order #0612345678.", "Voir la facture 2024-118.", "Use a warm tone.", "\n", " ", "Q3 results",
])
_secretish = st.sampled_from([
    "jo@acme.fr", "06 12 34 56 78", "+44 20 7946 0958", *VALID_IBANS, *VALID_CARDS, *VALID_NIRS,
    "AKIAIOSFODNN7EXAMPLE", "192.168.1.20", "2001:db8::1", "Acme", "Projet Hélios", "xK9mP2qL8vN4rT6wY1zB3cD5fG7hJ0sA",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_filler, _secretish), min_size=1, max_size=12))
def test_redacted_text_has_no_findings(parts):
    text = " ".join(parts)
    redacted, findings = scan_and_redact(text, ["Acme", "Projet Hélios"])
    assert scan(redacted, ["Acme", "Projet Hélios"]) == []
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_findings_are_ordered_disjoint_spans(text):
    findings = scan(text, ["Acme"])
    for previous, current in zip(findings, findings[1:], strict=False):
        assert previous.end <= current.start
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text


def _break_luhn(digits: str) -> str:
    last = int(digits[-1])
    for delta in range(1, 10):
        candidate = digits[:-1] + str((last + delta) % 10)
        if not luhn_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15 - 1), st.sampled_from(["4", "51", "37"]), st.sampled_from([" ", "-", ""]))
def test_card_numbers_failing_luhn_are_never_reported(body, prefix, separator):
    digits = _break_luhn((prefix + str(body).zfill(15))[:16])
    grouped = separator.join(digits[i:i + 4] for i in range(0, 16, 4))
    assert scan(f"card number {grouped} thanks") == []


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=10**20, max_value=10**23 - 1))
def test_ibans_failing_mod97_are_never_reported(body):
    bban = str(body)[:23]
    rng = random.Random(body)
    check = f"{rng.randint(0, 99):02d}"
    compact = "FR" + check + bban
    if iban_valid(compact):
        compact = "FR" + f"{(int(check) + 1) % 100:02d}" + bban
    assert not iban_valid(compact)
    spaced = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    assert [f for f in scan(f"IBAN {spaced}.") if f.kind == "iban"] == []


@settings(max_examples=200, deadline=None)
@given(st.sampled_from("12"), st.integers(0, 99), st.integers(1, 12), st.integers(1, 95), st.integers(1, 999), st.integers(1, 999), st.integers(0, 97))
def test_nir_with_a_wrong_key_is_never_reported(sex, year, month, dept, commune, order, key):
    body = f"{sex}{year:02d}{month:02d}{dept:02d}{commune:03d}{order:03d}"
    if 97 - int(body) % 97 == key:
        key = (key + 1) % 98
    number = f"{body}{key:02d}"
    assert not nir_valid(number)
    assert [f for f in scan(f"NIR {number} fin") if f.kind == "fr_nir"] == []


def test_fold_is_idempotent():
    for word in ("Hélios", "STRASSE", "Œuvre", "ﬁn"):
        assert fold(fold(word)) == fold(word)


def test_finding_is_a_value():
    assert Finding("email", 0, 3, "a@b") == Finding("email", 0, 3, "other")


def test_person_names_only_with_the_optional_ner_extra():
    text = "Le dossier de Marie Dupont est chez le notaire."
    assert [f.kind for f in scan(text)] == []  # off by default
    from ldai_xblocks.engine import sensitive_ner

    if not sensitive_ner.available():
        pytest.skip("the ner extra (presidio-analyzer + a spaCy model) is not installed")
    found = scan(text, ner=True)
    assert [f.kind for f in found] == ["person"] and "Marie Dupont" in found[0].text
    redacted, _ = scan_and_redact(text, ner=True)
    assert "Marie" not in redacted and "[PERSON]" in redacted
