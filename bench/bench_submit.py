"""``submit_median_ms.<activity>``: one learner submit through the block's handler, beside drag-and-drop-v2.

Why this anchor: xblock-drag-and-drop-v2 is the XBlock our conventions copy (its scoring
contract, its handlers); its ``do_attempt`` handler is what a learner's "Submit" costs in
a well-known, widely deployed block. Both run in the same xblock-sdk ``WorkbenchRuntime``
(field data in the same Django database), measured the way the workbench's own handler
view serves a request: a runtime for the learner, the block loaded, ``runtime.handle``
(handler + state save). Every round uses a fresh learner, prepared unmeasured, so each
timed call is a first, real submit that grades and publishes a grade:

- risk quiz: the answer that completes a 6-question attempt (grades it, builds the
  profile, publishes the grade), the five earlier answers given unmeasured;
- hallucination detector: ``submit`` of the attempt with two flags on every text;
- prompt sandbox: its submit handler, when the block has one;
- skills map: ``save_self_assessment`` of every competence of the finance profile (builds the
  gap report, publishes the grade), the job family chosen unmeasured;
- charter: "Check my answers" on the 4 drawn questions (the quiz engine grades them) then "I accept"
  (the acceptance recorded, the grade published), the two calls timed together;
- use cases: ``record_case`` of a complete case (the confidential-data guard over its texts, the
  library's shared write, the completion published);
- anchor: drag-and-drop-v2 in assessment mode, ``do_attempt`` after every item was
  placed with ``drop_item`` (unmeasured).

Ours and the anchor alternate within each round, so the shared machine's noise falls on both.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # runnable alone: python bench/bench_submit.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import figure, interleaved_prepared, median, per_activity, setup_django
from bench.field_access import FieldAccess, counting

ROUNDS = 120
WARMUP = 5
ANCHOR = "xblock-drag-and-drop-v2.do_attempt"
# A 2-criterion-rich prompt a learner might write; used only if the prompt sandbox has a submit handler.
PROMPT = (
    "You are an HR assistant. Write a warm welcome e-mail for a new accountant who joins the finance team on Monday. "
    "Audience: the new hire. Format: a subject line, then three short paragraphs and a bullet list of first-week "
    "meetings. Keep it under 150 words and do not invent names."
)
PROMPT_HANDLERS = ("submit", "submit_prompt", "analyze")

_learners = itertools.count()


def _request(payload: dict | None, method: str = "POST"):
    from webob import Request

    request = Request.blank("/", method=method)
    if method == "POST":
        request.body = json.dumps(payload or {}).encode()
        request.content_type = "application/json"
    return request


class Workbench:
    """Blocks parsed once into the workbench's store; each learner gets its own runtime, as in the handler view."""

    def __init__(self):
        setup_django()
        from workbench.runtime import ID_MANAGER, WorkbenchRuntime

        self._runtime_class = WorkbenchRuntime
        ID_MANAGER.set_scenario("ldai-bench")
        self._author = WorkbenchRuntime("bench-author")
        self._access: FieldAccess | None = None

    def add(self, xml: str) -> str:
        return self._author.parse_xml_string(xml)

    @contextlib.contextmanager
    def counting(self) -> Iterator[FieldAccess]:
        """The field reads, writes and queries of the calls made inside the block (bench/field_access.py)."""
        self._access = FieldAccess()
        try:
            yield self._access
        finally:
            self._access = None

    def call(self, usage_id: str, learner: str, handler: str, payload: dict | None = None, method: str = "POST") -> tuple[int, Any]:
        """What workbench.views.handler does for one request: runtime, block, handle (the handler saves the state)."""
        runtime = self._runtime_class(learner)
        with counting(runtime, self._access) if self._access is not None else contextlib.nullcontext():
            block = runtime.get_block(usage_id)
            response = runtime.handle(block, handler, _request(payload, method))
        try:
            body = json.loads(response.body)
        except ValueError:
            body = response.body
        return response.status_int, body


def _ok(status: int, body: Any, what: str) -> Any:
    if status != 200:
        raise RuntimeError(f"{what} answered {status}: {str(body)[:300]}")
    return body


def _new_learner(prefix: str) -> str:
    return f"{prefix}-{next(_learners)}"


# ------------------------------------------------------------------------------------ ours
def quiz_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    usage = bench.add('<ldai_risk_quiz num_questions="6" show_answers="immediately"/>')

    def prepare():
        learner = _new_learner("quiz")
        state = _ok(*bench.call(usage, learner, "student_view_user_state", method="GET"), "quiz state")
        questions = state["questions"]
        for question in questions[:-1]:
            _ok(*bench.call(usage, learner, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]}), "quiz answer")
        last = questions[-1]
        payload = {"question_id": last["id"], "selected": [last["choices"][0]["id"]]}

        def submit():
            body = _ok(*bench.call(usage, learner, "submit_answer", payload), "quiz final answer")
            if not body.get("completed"):
                raise RuntimeError("the timed quiz answer did not complete the attempt")

        return submit

    return prepare


def detector_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    usage = bench.add("<ldai_hallucination_detector/>")

    def prepare():
        learner = _new_learner("hunt")
        state = _ok(*bench.call(usage, learner, "student_view_user_state", method="GET"), "detector state")
        if not state.get("started"):
            _ok(*bench.call(usage, learner, "start_attempt", {}), "detector start")
            state = _ok(*bench.call(usage, learner, "student_view_user_state", method="GET"), "detector state")
        flags = {item["id"]: [list(unit) for unit in item["units"][:2]] for item in state["items"]}

        def submit():
            body = _ok(*bench.call(usage, learner, "submit", {"flags": flags}), "detector submit")
            if not body.get("submitted"):
                raise RuntimeError("the timed detector submit did not grade the attempt")

        return submit

    return prepare


def prompt_preparer(bench: Workbench) -> tuple[Callable[[], Callable[[], Any]] | None, str]:
    """The prompt sandbox's submit, or None and why (the block may still be a placeholder)."""
    from ldai_xblocks.blocks.prompt_sandbox import PromptSandboxBlock

    handler = next((name for name in PROMPT_HANDLERS if getattr(getattr(PromptSandboxBlock, name, None), "_is_xblock_handler", False)), None)
    if handler is None:
        return None, "the prompt sandbox block has no submit handler yet (still the placeholder view): not measured"
    usage = bench.add("<ldai_prompt_sandbox/>")

    def prepare():
        learner = _new_learner("prompt")
        bench.call(usage, learner, "student_view_user_state", method="GET")

        def submit():
            _ok(*bench.call(usage, learner, handler, {"prompt": PROMPT}), f"prompt sandbox {handler}")

        return submit

    return prepare, f"handler {handler} with a {len(PROMPT)}-character prompt"


def skills_map_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    usage = bench.add('<ldai_skills_map/>')

    def prepare():
        learner = _new_learner("skills")
        state = _ok(*bench.call(usage, learner, "choose_job", {"job": "finance"}), "skills map job")
        levels = {question["id"]: index % 4 for index, question in enumerate(state["questions"])}

        def submit():
            body = _ok(*bench.call(usage, learner, "save_self_assessment", {"levels": levels}), "skills map self-assessment")
            if not body.get("self_complete"):
                raise RuntimeError("the timed self-assessment did not complete (no grade)")

        return submit

    return prepare


def charter_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    from ldai_xblocks.content.packs import load_pack
    from ldai_xblocks.engine import charter

    usage = bench.add('<ldai_charter num_questions="4"/>')
    bank = charter.build_bank(load_pack("charter", "en/ai-charter"))

    def prepare():
        learner = _new_learner("charter")
        state = _ok(*bench.call(usage, learner, "student_view_user_state", method="GET"), "charter state")
        answers = {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}

        def submit():
            _ok(*bench.call(usage, learner, "check_answers", {"version": state["version"], "answers": answers}), "charter check")
            body = _ok(*bench.call(usage, learner, "accept", {"version": state["version"]}), "charter accept")
            if not body.get("accepted"):
                raise RuntimeError("the timed acceptance was not recorded")

        return submit

    return prepare


USE_CASE = {"job_family": "finance", "task": "Drafting the weekly summary of customer complaints", "tool": "The company assistant",
            "data": "Counts per complaint category, exported without names", "before": "Two hours reading tickets by hand",
            "after": "A first draft in thirty minutes, then every figure checked against the export", "minutes_saved": 90, "rating": 4}


def use_case_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    usage = bench.add('<ldai_use_case/>')

    def prepare():
        learner = _new_learner("usecase")
        bench.call(usage, learner, "student_view_user_state", method="GET")

        def submit():
            body = _ok(*bench.call(usage, learner, "record_case", USE_CASE), "use case record_case")
            if not body.get("my_cases"):
                raise RuntimeError("the timed use case was not recorded")

        return submit

    return prepare


# ---------------------------------------------------------------------------------- anchor
def drag_and_drop_preparer(bench: Workbench) -> Callable[[], Callable[[], Any]]:
    usage = bench.add('<drag-and-drop-v2 mode="assessment" max_attempts="0"/>')

    def prepare():
        learner = _new_learner("dnd")
        state = _ok(*bench.call(usage, learner, "student_view_user_state", method="GET"), "drag-and-drop state")
        del state
        from drag_and_drop_v2.default_data import DEFAULT_DATA

        for item in DEFAULT_DATA["items"]:
            zone = item["zones"][0] if item["zones"] else None
            _ok(*bench.call(usage, learner, "drop_item", {"val": item["id"], "zone": zone}), "drag-and-drop drop_item")

        def submit():
            body = _ok(*bench.call(usage, learner, "do_attempt", {}), "drag-and-drop do_attempt")
            if "correct" not in body:
                raise RuntimeError("do_attempt did not grade")

        return submit

    return prepare


def run() -> list[dict]:
    bench = Workbench()
    anchor = drag_and_drop_preparer(bench)
    ours: dict[str, tuple[Callable | None, str]] = {
        "risk_quiz": (quiz_preparer(bench), "the answer that completes a 6-question attempt (grade published)"),
        "hallucination_detector": (detector_preparer(bench), "submit of the attempt, two flags on each text (grade published)"),
        "prompt_sandbox": prompt_preparer(bench),
        "skills_map": (skills_map_preparer(bench), "the self-assessment of the 10 finance competences (gap report built, grade published)"),
        "charter": (charter_preparer(bench), "check of 4 answers then the acceptance, two handler calls (grade published)"),
        "use_case": (use_case_preparer(bench), "record_case of a complete use case (confidential-data scan of its 5 texts, shared library write, completion published)"),
    }
    preparers = {name: prepare for name, (prepare, _) in ours.items() if prepare is not None}
    samples = interleaved_prepared({**preparers, "anchor": anchor}, rounds=ROUNDS, warmup=WARMUP)
    anchor_ms = median(samples["anchor"])
    figures = []
    for activity, (prepare, how) in ours.items():
        value = median(samples[activity]) if prepare is not None else None
        note = (f"{how}; median of {ROUNDS} fresh learners in xblock-sdk's WorkbenchRuntime (its store reads and writes "
                f"the database on every field access, on both sides)") if prepare is not None else how
        figures.append(figure(per_activity("submit_median_ms", activity), value, "ms", ANCHOR, anchor_ms, "lower", note=note))
    return figures


if __name__ == "__main__":
    for fig in run():
        print(fig)
