"""The confidential-data guard at its edges (issue 12, item 8).

- e-mail local parts with every character RFC 5322 section 3.2.3 allows in ``atext``
  (apostrophes, plus signs, ``/``, ``=``, ``{``…), reported as the address alone;
- secrets in configuration lines (``NAME=value``, ``"key": "value"``, YAML ``key: value``)
  reported as the value alone;
- passwords introduced by the words people use, in English and French;
- and the guard's promises as properties: a redacted text contains no finding, and a
  number that passes its checksum (Luhn card, mod-97 IBAN) in ordinary prose is reported
  as what it is and produces no other finding.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine.sensitive import iban_valid, luhn_valid, scan, scan_and_redact

# RFC 5322 3.2.3: atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" /
# "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"; dot-atom = atext+ *("." atext+).
ATEXT = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~"
# Characters a local part may hold but that prose also puts *before* an address ("l'", "x=", "{"):
# an address that starts with one of them is reported from the next character (see _email_start).
LEADING_PROSE = "'`{|}~="


def _found(text: str, terms=None) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text, terms)]


# ------------------------------------------------------------------ e-mail local parts

@pytest.mark.parametrize(
    "text, address",
    [
        ("Write to o'brien@acme.example about it", "o'brien@acme.example"),
        ("copie à jean-françois.d'arc@mairie.example", "jean-françois.d'arc@mairie.example"),
        ("send to a.b+invoices@client.example.", "a.b+invoices@client.example"),
        ("reply to billing/eu=fr@corp.example", "billing/eu=fr@corp.example"),
        ("ops{night}|shift~2@plant.example", "ops{night}|shift~2@plant.example"),
        ("EMAIL=jean@x.example", "jean@x.example"),
        ("contact='jean.d@x.example'", "jean.d@x.example"),
        ("(l'adresse : d'souza#1@x.example)", "d'souza#1@x.example"),
    ],
)
def test_email_local_parts_with_rfc5322_characters(text, address):
    assert _found(text) == [("email", address)]


_atom = st.text(alphabet=ATEXT, min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_atom, min_size=1, max_size=3), st.sampled_from(["acme.example", "client-hotels.example", "société.fr"]),
       st.sampled_from(["Write to {} today.", "Contact : {}", "cc {}, thanks", "({})"]))
def test_any_dot_atom_address_is_found_whole(atoms, domain, sentence):
    local = ".".join(atoms)
    assume(local[0] not in LEADING_PROSE)
    # "NAME=rest@…" reads as a configuration key and its value (documented); the value is reported.
    assume(not re.match(r"[A-Za-z_][A-Za-z_.-]*=.", local))
    address = f"{local}@{domain}"
    text = sentence.format(address)
    emails = [f for f in scan(text) if f.kind == "email"]
    assert [f.text for f in emails] == [address]
    redacted, _ = scan_and_redact(text)
    assert "@" not in redacted


# ------------------------------------------------------------------ configuration lines

@pytest.mark.parametrize(
    "line, value",
    [
        ("DB_PASSWORD=Hunter2!x", "Hunter2!x"),
        ("export SMTP_PASS='p4ss w0rd'", "p4ss w0rd"),
        ('"client_secret": "abcd1234efgh"', "abcd1234efgh"),
        ('{"apiKey":"k-9f8e7d6c"}', "k-9f8e7d6c"),
        ("  password: Soleil#2024", "Soleil#2024"),
        ("aws_secret_access_key = wJalrXUtnFEMIK7MDENG", "wJalrXUtnFEMIK7MDENG"),
        ("mot_de_passe: Conv#Nuit24", "Conv#Nuit24"),
        ("SECRET_KEY='django-insecure-abc123'", "django-insecure-abc123"),
    ],
)
def test_secret_in_a_configuration_line_is_the_value_alone(line, value):
    assert _found(line) == [("secret", value)]


@pytest.mark.parametrize(
    "line",
    [
        "password_min_length: 12",
        "token_expiry=3600",
        "DB_PASSWORD=${DB_PASSWORD}",
        'api_key: "<your key here>"',
        "password: required",
        "secret: ***",
        "token_url: https://auth.example/token",
        "Subject: the monthly key figures",
        "Password: check the vault",
    ],
)
def test_settings_and_placeholders_are_not_secrets(line):
    assert [k for k, _ in _found(line) if k == "secret"] == []


_KEYS = st.sampled_from(["DB_PASSWORD", "password", "api_key", "apiKey", "client_secret", "SMTP_PASS", "mdp", "github_token",
                         "PRIVATE_KEY", "mot_de_passe", "passwd"])
_VALUE = st.text(alphabet=string.ascii_letters + string.digits + "#!@%&*-_", min_size=6, max_size=24)


@settings(max_examples=300, deadline=None)
@given(_KEYS, _VALUE, st.sampled_from(["{k}={v}", "{k} = {v}", '"{k}": "{v}"', "{k}: {v}", "  {k}: '{v}'", "export {k}=\"{v}\""]))
def test_any_secret_configuration_line_reports_the_value(key, value, template):
    assume(value.rstrip(".,;:)") == value and any(c.isdigit() or not c.isalnum() for c in value))
    text = "settings:\n" + template.format(k=key, v=value) + "\nend"
    secrets = [f for f in scan(text) if f.kind == "secret"]
    assert [f.text for f in secrets] == [value]
    redacted, _ = scan_and_redact(text)
    assert value not in redacted and key in redacted


# ------------------------------------------------------------------ passwords in words

@pytest.mark.parametrize(
    "text, value",
    [
        ("The password for the supervision PC is Belt#2024!", "Belt#2024!"),
        ("my pwd is azerty12, don't share it", "azerty12"),
        ("passwd: Tr0mbone", "Tr0mbone"),
        ("Le mot de passe du poste est Soleil2024.", "Soleil2024"),
        ("mdp : Conv#Nuit24", "Conv#Nuit24"),
        ("le mdp c'est Lyon69!", "Lyon69!"),
        ("mot de passe = « bateau-42 »", "bateau-42"),
        ("access code for the maintenance PC: password: Belt#2024! then restart", "Belt#2024!"),
    ],
)
def test_passwords_introduced_by_words(text, value):
    assert _found(text) == [("secret", value)]


@pytest.mark.parametrize(
    "text",
    [
        "The password is required.",
        "Le mot de passe est expiré depuis lundi.",
        "Remind staff that the password must be changed every 90 days.",
        "Never paste a password in a prompt.",
        "mot de passe : voir le coffre-fort",
    ],
)
def test_talking_about_passwords_is_not_a_password(text):
    assert [k for k, _ in _found(text) if k == "secret"] == []


_PASSWORD_WORDS = st.sampled_from(["password", "Password", "pwd", "passwd", "mot de passe", "Mot de passe", "mdp", "MDP"])
_SIGNS = st.sampled_from([": ", " : ", "=", " = ", " is ", " est "])
_PASSWORD = st.text(alphabet=string.ascii_letters + string.digits + "#!@%&*-_", min_size=6, max_size=20).filter(
    lambda v: any(c.isdigit() for c in v) and v.rstrip(".,;:)") == v)


@settings(max_examples=300, deadline=None)
@given(_PASSWORD_WORDS, _SIGNS, _PASSWORD, st.sampled_from(["Hi team, the {w}{s}{v} for the VPN.", "{w}{s}{v}", "Accès : {w}{s}{v}, merci."]))
def test_any_password_in_words_is_found_and_redacted(word, sign, value, template):
    text = template.format(w=word, s=sign, v=value)
    assert [f.text for f in scan(text) if f.kind == "secret"] == [value]
    redacted, _ = scan_and_redact(text)
    assert value not in redacted
    assert scan(redacted) == []


# ------------------------------------------------------------------ checksums: no false alarm elsewhere

def _luhn_complete(body: str) -> str:
    for digit in "0123456789":
        if luhn_valid(body + digit):
            return body + digit
    raise AssertionError("unreachable")


def _iban(bban: str) -> str:
    rearranged = bban + "FR00"
    check = 98 - int("".join(str(int(c, 36)) for c in rearranged)) % 97
    return f"FR{check:02d}{bban}"


_PROSE = st.sampled_from([
    "The client paid with card {} last week, please write the reminder.",
    "Le virement vers {} est prévu le 15 mai, rédige la relance.",
    "Invoice 2024-118 (12 400 €) was paid from {}; draft a thank-you note.",
    "Commande n° 4471 : {} ; prépare un tableau des écarts.",
])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["4", "51", "52", "37"]), st.integers(0, 10**14), st.sampled_from([" ", "-", ""]), _PROSE)
def test_a_luhn_valid_card_in_prose_is_one_card_and_nothing_else(prefix, body, separator, sentence):
    digits = _luhn_complete((prefix + str(body).zfill(14))[:15])
    number = separator.join(digits[i:i + 4] for i in range(0, 16, 4))
    text = sentence.format(number)
    assert _found(text) == [("payment_card", number)]
    redacted, _ = scan_and_redact(text)
    assert scan(redacted) == []


@settings(max_examples=300, deadline=None)
@given(st.integers(10**22, 10**23 - 1), st.booleans(), _PROSE)
def test_a_mod97_valid_iban_in_prose_is_one_iban_and_nothing_else(body, spaced, sentence):
    compact = _iban(str(body))
    assert iban_valid(compact)
    shown = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) if spaced else compact
    text = sentence.format(shown)
    assert _found(text) == [("iban", shown)]
    redacted, _ = scan_and_redact(text)
    assert scan(redacted) == []


_MIXED = st.one_of(
    st.sampled_from(["Please draft the e-mail.", "Budget: 120 000 €.", "Format: table", "Tone: warm", "\n",
                     "password_min_length: 12", "Le mot de passe est expiré.", "Order #0612345678."]),
    _PASSWORD.map(lambda v: f"mdp : {v}"),
    _PASSWORD.map(lambda v: f"DB_PASSWORD={v}"),
    st.lists(_atom, min_size=1, max_size=2).map(lambda atoms: ".".join(atoms) + "@acme.example"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_MIXED, min_size=1, max_size=8))
def test_a_redacted_text_contains_no_finding(parts):
    text = " ".join(parts)
    redacted, _ = scan_and_redact(text)
    assert scan(redacted) == []
