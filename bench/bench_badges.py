"""``issue_badge_median_ms`` and ``verify_badge_median_ms``: Open Badges 3.0 issuing and checking beside plain PyJWT.

Why this anchor: a VC-JWT is, at bottom, one RS256 signature over a JSON payload; the cheapest
possible issuer is ``jwt.encode`` of a ready-made credential with no checks at all. Our issuing adds
what the spec asks (building the OB 3.0 credential, the salted recipient hash, the VC-JWT claim
mapping, the ``kid`` URI); our verification adds the claim matches, the structural checks, the
dates and the revocation-list lookup. The ratio says what those cost over the bare signature.

Both sides sign with the same 2048-bit RSA key, in the same process, interleaved.
Runnable alone: ``python bench/bench_badges.py``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import figure, interleaved, median  # noqa: E402

ROUNDS = 200
WARMUP = 20
ANCHOR = "pyjwt-encode-no-checks"


def run() -> list[dict[str, Any]]:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ldai_xblocks.engine import badges

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = badges.Signer("bench-key", key)
    issuer = badges.IssuerProfile(id="https://tool.example.com/lti/badges/issuer/", name="Bench issuer",
                                  jwks_url="https://tool.example.com/lti/badges/jwks/",
                                  revocation_list_url="https://tool.example.com/lti/badges/revocations/")
    achievement = badges.Achievement(id="urn:ldai:achievement:bench", name="AI risk aware", description="Recognises AI risks.",
                                     criteria="Finish the risk quiz.", alignments=(badges.Alignment("risk-awareness"),))
    evidence = badges.Evidence(activity="Risk quiz", score=0.9, date=datetime.now(UTC))
    credential, token = badges.issue(achievement, issuer, signer, badges.recipient_for("learner"), evidence=evidence)
    payload = {**credential, **badges.jwt_claims(credential)}
    jwks = {"keys": [badges.public_jwk(key, "bench-key")]}
    revocations = badges.revocation_list(issuer, [(f"urn:uuid:revoked-{i}", "") for i in range(100)])
    public = key.public_key()

    def ours_issue():
        badges.issue(achievement, issuer, signer, badges.recipient_for("learner"), evidence=evidence)

    def anchor_issue():
        jwt.encode(payload, key, algorithm="RS256")

    def ours_verify():
        assert badges.verify(token, lambda _: jwks, lambda _: revocations).ok

    def anchor_verify():
        jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_nbf": False})

    timings = interleaved({"issue": ours_issue, "anchor_issue": anchor_issue, "verify": ours_verify, "anchor_verify": anchor_verify},
                          rounds=ROUNDS, warmup=WARMUP)
    how = f"median of {ROUNDS} interleaved calls, RSA-2048, in-process"
    return [
        figure("issue_badge_median_ms", median(timings["issue"]), "ms", ANCHOR, median(timings["anchor_issue"]), "lower", note=how),
        figure("verify_badge_median_ms", median(timings["verify"]), "ms", "pyjwt-decode-signature-only", median(timings["anchor_verify"]), "lower",
               note=how + "; ours also checks claims, structure, dates and a 100-entry revocation list"),
    ]


if __name__ == "__main__":  # pragma: no cover
    for item in run():
        print(item)
