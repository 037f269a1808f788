"""Learner text is stored the same on SQLite and on PostgreSQL: NUL bytes, 4-byte emoji, very long values.

``make test`` runs this module twice: on SQLite, then on a private PostgreSQL + Redis
(``LDAI_TEST_BACKEND=postgres``, tests/services.py). The differences it pins down:

- PostgreSQL's ``jsonb`` and ``text`` refuse U+0000 ("unsupported Unicode escape sequence"),
  SQLite keeps it. The tool's decision: the runtime's store removes U+0000 from everything it
  saves, on both databases, so a prompt pasted with a stray NUL is saved without it (not a 500
  on PostgreSQL, not a different value on SQLite). A NUL carries no meaning in a prompt.
- 4-byte UTF-8 (emoji, rare CJK) round-trips on both (MySQL's ``utf8`` would not: the reason
  Open edX moved to ``utf8mb4``).
- Values longer than a block accepts are refused with the block's own 400 and its message,
  before anything reaches the database; the longest accepted value is stored whole. A learner
  name longer than the column is cut to 255 characters on both.
"""

from __future__ import annotations

from ldai_xblocks.blocks.prompt_sandbox import MAX_PROMPT_CHARS
from lti_tool.models import GradeOutbox, LearnerState
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page
from tests.lti.test_runtime_activities import GOOD_PROMPT, sandbox_custom

pytest_plugins = ["tests.lti.runtime_fixtures"]

EMOJI = "Plan 🚀 for 𝔸𝕀 in 🇫🇷 — naïve café 漢字 𠜎"


def _stored_prompts() -> list[str]:
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE, block_type="ldai_prompt_sandbox")
    return [attempt["prompt"] for attempt in row.state["attempts"]]


def test_nul_bytes_emoji_and_long_prompts_are_stored_alike_on_both_databases(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(launch_page(client, consumer, user_id="learner-text", custom=sandbox_custom(max_attempts=0)))
    with_nul = GOOD_PROMPT[:40] + "\x00" + GOOD_PROMPT[40:] + "\x00"
    longest = (EMOJI + " " + GOOD_PROMPT + " ") * (MAX_PROMPT_CHARS // (len(EMOJI) + len(GOOD_PROMPT) + 2) + 1)
    longest = longest[:MAX_PROMPT_CHARS]
    for prompt in (with_nul, EMOJI + " " + GOOD_PROMPT, longest):
        status, body = call(client, prefix, "submit", {"prompt": prompt})
        assert status == 200, body
    assert _stored_prompts() == [GOOD_PROMPT, EMOJI + " " + GOOD_PROMPT, longest]
    assert len(_stored_prompts()[2]) == MAX_PROMPT_CHARS
    assert GradeOutbox.objects.count() == 3  # every attempt was committed with its score


def test_a_prompt_over_the_limit_gets_the_blocks_message_and_saves_nothing(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(launch_page(client, consumer, user_id="learner-long", custom=sandbox_custom()))
    status, body = call(client, prefix, "submit", {"prompt": "🚀" * (MAX_PROMPT_CHARS + 1)})
    assert status == 400 and body["code"] == "too_long" and str(MAX_PROMPT_CHARS) in body["fields"]["prompt"][0]
    assert not LearnerState.objects.filter(scope=LearnerState.Scope.USER_STATE).exists()
    assert GradeOutbox.objects.count() == 0


def test_a_leaderboard_name_with_emoji_nul_and_300_characters_is_stored_alike(client, graded_platform):
    consumer, _ = graded_platform
    name = "Zoë 🚀\x00 " + "é" * 300
    custom = sandbox_custom(leaderboard_enabled=True, leaderboard_anonymous=False)
    prefix = handler_prefix(launch_page(client, consumer, user_id="learner-name", name=name, custom=custom))
    status, body = call(client, prefix, "submit", {"prompt": GOOD_PROMPT})
    assert status == 200, body
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE, user_sub="learner-name")
    assert row.user_name == name.replace("\x00", "")[:255]
