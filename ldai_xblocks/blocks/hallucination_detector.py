"""The hallucination detector XBlock (``ldai_hallucination_detector``): a thin shell around ``engine.spans``.

The learner reads AI-generated workplace texts and flags what the model invented, by
toggling sentences and clauses or by selecting a precise passage; one attempt covers
every text of the content and is graded on submit (claim-level F1 by default, or the
Mu-SHROOM character IoU), the best attempt kept. In challenge mode ("hallucination
hunt") an optional time limit is enforced on the server and a course leaderboard ranks
the learners.

The annotations (where the hallucinations and traps are, their explanations) never reach
the browser before the attempt is submitted: the learner's state carries only the texts
and their units until then.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Dict, Integer, List, Scope, String

from ..content.packs import default_pack_ref, is_mixed
from ..engine.quiz import seed_for
from ..engine.spans import GRADINGS, SpanError, check_spans, merge_spans, score_spans, unit_spans
from ..i18n import N_
from .base import (
    ATTEMPT_SUMMARY,
    AUTO_PACK,
    COMMON_SETTINGS,
    JOB_FAMILY_CHOICES,
    LEADERBOARD_SETTINGS,
    ActivityBlock,
    UserError,
    _,
    attempt_history,
    json_api,
    json_response,
)
from .evidence import EvidenceMixin, hunt_signals
from .team_challenge import TEAM_SETTINGS, TeamChallengeMixin

REVEAL = ("immediately", "after_last_attempt")
KIND_LABELS = {
    "fabricated_fact": N_("Fabricated fact"),
    "wrong_number_or_date": N_("Wrong number or date"),
    "invented_source": N_("Invented source or citation"),
    "wrong_entity": N_("Wrong person, organisation or thing"),
    "unsupported_claim": N_("Claim the source does not support"),
    "contradiction": N_("Internal contradiction"),
}
MAX_FLAGS_PER_TEXT = 200
MIXED_TEXTS = 3
"""Texts per attempt when the content mixes every job family: one from each of three families."""
PENDING = "_pending"
"""Marks an attempt shown but not stored yet (no learner action so far); never stored itself."""
GRACE_SECONDS = 20
"""Network slack after the deadline: a submit sent as the clock reached zero still counts."""


@XBlock.wants("teams", "teams_configuration")
class HallucinationDetectorBlock(TeamChallengeMixin, EvidenceMixin, ActivityBlock):
    """Find the invented facts in AI-generated texts; scored span by span, with a timed hunt mode."""

    activity = "hallucination_detector"
    content_kind = "hallucination_detector"

    job_family = String(display_name=_("Job family"), help=_("With the automatic pack, use the texts of this job family."), scope=Scope.settings, default="")
    grading = String(display_name=_("Grading"), scope=Scope.settings, default="claim_f1", values=list(GRADINGS))
    reveal = String(display_name=_("Show missed hallucinations"), scope=Scope.settings, default="immediately", values=list(REVEAL))
    time_limit = Integer(display_name=_("Time limit (minutes)"), help=_("0 means no time limit."), scope=Scope.settings, default=0, values={"min": 0, "max": 240})

    current_attempt = Dict(scope=Scope.user_state, default={})
    attempt_texts = String(
        scope=Scope.user_state, default="",
        help="The texts of the current attempt as they were when it started (JSON {number, lang, items}). A string, "
             "not a dict: hosts that print a block's fields (xblock-sdk's workbench page) cut strings short, so the "
             "annotations it holds never show on a learner's page.",
    )
    history = List(scope=Scope.user_state, default=[])

    def default_title(self) -> str:
        return self._("Hallucination detector")

    # ---------------------------------------------------------------- content
    def pack_ref(self) -> str | None:
        if self.pack and self.pack != AUTO_PACK:
            return self.pack
        return default_pack_ref(self.content_kind, self.language(), self.job_family or None)

    def items(self) -> list[dict[str, Any]]:
        return list(self.content_document()["items"])

    def _draw_items(self, number: int) -> list[dict[str, Any]]:
        """The texts of attempt ``number``: all of them, or with "any job family" a mix drawn for this learner.

        The mix takes one text from each of ``MIXED_TEXTS`` families, seeded by the learner,
        the block and the attempt, so a retry meets other families.
        """
        items = self.items()
        origin, ref = self.content_source()
        if origin != "pack" or not is_mixed(ref):
            return items
        rng = random.Random(seed_for(self.learner_id(), self.scope_ids.usage_id, number))
        families: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            families.setdefault(item.get("job_family", "all"), []).append(item)
        chosen = rng.sample(sorted(families), min(MIXED_TEXTS, len(families)))
        return [rng.choice(families[family]) for family in chosen]

    def _snapshot(self, attempt: dict[str, Any], raw: str | None = None) -> dict[str, Any] | None:
        """The copy of the attempt's texts (``attempt_texts``), if it belongs to this attempt."""
        raw = self.attempt_texts if raw is None else raw
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return None
        ok = isinstance(data, dict) and data.get("number") == attempt.get("number") and isinstance(data.get("items"), list)
        return data if ok else None

    def _keep_texts(self, number: int, items: list[dict[str, Any]]) -> None:
        self.attempt_texts = json.dumps({"number": number, "lang": self._lang(), "items": items}, ensure_ascii=False, separators=(",", ":"))

    def _attempt_items(self, attempt: dict[str, Any], raw: str | None = None) -> list[dict[str, Any]]:
        """The texts an attempt was made on, as they were then (attempts from before the copies: the content in force)."""
        if attempt.get(PENDING):  # not stored yet: the texts it will keep
            return self._draw_items(attempt["number"])
        snapshot = self._snapshot(attempt, raw)
        return list(snapshot["items"]) if snapshot else self.items()

    def _attempt_lang(self, attempt: dict[str, Any]) -> str:
        snapshot = None if attempt.get(PENDING) else self._snapshot(attempt)
        return snapshot.get("lang") or self._lang() if snapshot else self._lang()

    def _content_changed(self, attempt: dict[str, Any]) -> bool:
        """Whether the course team changed or removed a text of this attempt since it started."""
        snapshot = self._snapshot(attempt)
        if not snapshot:
            return False
        current = {item["id"]: item for item in self.items()}
        return any(current.get(item["id"]) != item for item in snapshot["items"])

    def _lang(self) -> str:
        return self.content_document().get("lang", self.language())

    def _item_payload(self, item: dict[str, Any], lang: str) -> dict[str, Any]:
        """An item as the browser may see it before submission: the text and its units, no annotation."""
        payload = {
            "id": item["id"],
            "title": item["title"],
            "prompt": item["prompt"],
            "text": item["text"],
            "units": [list(span) for span in unit_spans(item["text"], lang)],
        }
        if item.get("source"):
            payload["source"] = item["source"]
        return payload

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The activity without its annotations, for the mobile apps."""
        lang = self._lang()
        return {
            "title": self.title(),
            "grading": self.grading,
            "max_attempts": self.max_attempts,
            "time_limit": self.time_limit,
            "items": [self._item_payload(item, lang) for item in self.items()],
        }

    # ------------------------------------------------------------------ state
    def _attempt(self) -> dict[str, Any]:
        return dict(self.current_attempt or {})

    def _deadline(self, attempt: dict[str, Any]) -> datetime | None:
        deadline = attempt.get("deadline")
        return datetime.fromisoformat(deadline) if deadline else None

    def _time_is_up(self, attempt: dict[str, Any]) -> bool:
        deadline = self._deadline(attempt)
        return bool(deadline and _now() > deadline + timedelta(seconds=GRACE_SECONDS))

    def _ensure_attempt(self) -> dict[str, Any]:
        """The attempt in progress as the learner sees it, written nowhere: a view, a GET (the mobile apps) or a
        refused request stores nothing. Without a time limit an attempt is open from the first view; it is stored,
        with the copy of its texts, by the learner's first accepted flags or submit (:meth:`_store`).
        """
        attempt = self._attempt()
        if not attempt and not self.time_limit:
            attempt = {**self._attempt_record(), PENDING: True}
        elif attempt and not attempt.get("submitted") and not any(attempt.get("flags", {}).values()) and self._content_changed(attempt):
            # Nothing done on the old texts yet: the learner gets the author's new version (no flag to lose).
            attempt = {**attempt, "flags": {}, PENDING: True}
        return attempt

    def _attempt_record(self) -> dict[str, Any]:
        started = _now()
        attempt = {"number": self.attempts_completed + 1, "started": started.isoformat(), "flags": {}, "submitted": False}
        if self.time_limit:
            attempt["deadline"] = (started + timedelta(minutes=self.time_limit)).isoformat()
        return attempt

    def _new_attempt(self) -> dict[str, Any]:
        """A new attempt, with a copy of its texts: later edits by the author never change what it was made on."""
        return self._store({**self._attempt_record(), PENDING: True})

    def _store(self, attempt: dict[str, Any]) -> dict[str, Any]:
        """Keep the attempt; a pending one gets its copy of the texts, and a new one publishes its start."""
        attempt = dict(attempt)
        if attempt.pop(PENDING, False):
            self._keep_texts(attempt["number"], self._draw_items(attempt["number"]))
        if not self.current_attempt or self.current_attempt.get("number") != attempt.get("number"):
            self.emit("started", {"attempt": attempt["number"], "time_limit": self.time_limit})
        self.current_attempt = attempt
        return attempt

    def never_graded(self) -> bool:
        """A hunt is graded only once an attempt is stored (its submit stores it), and the attempt stays stored."""
        return not self.current_attempt

    def _reveal_missed(self) -> bool:
        return self.reveal == "immediately" or self.attempts_left() == 0

    def user_state(self, graded: tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
        """What the page draws. ``graded``: the attempt a submit just stored, its texts and results, so the
        answer to a submit neither draws nor scores the texts a second time."""
        attempt, items, results = graded if graded else (self._ensure_attempt(), None, None)
        started = bool(attempt)
        lang = self._attempt_lang(attempt)
        if items is None:
            items = self._attempt_items(attempt) if started else []
        known = {item["id"] for item in items}
        deadline = self._deadline(attempt) if started else None
        seconds_left = None
        if deadline and not attempt.get("submitted"):
            seconds_left = max(0, int((deadline - _now()).total_seconds()))
        if results is not None and results["revealed"] != self._reveal_missed():
            results = None  # graded before this submit used the last attempt: what is revealed has changed since
        if results is None and attempt.get("submitted"):
            results = self._results(items, attempt, lang)
        return {
            "attempt_number": attempt.get("number", self.attempts_completed + 1),
            "started": started,
            "time_limit": self.time_limit,
            "seconds_left": seconds_left,
            "items": [self._item_payload(item, lang) for item in items],
            "flags": {k: v for k, v in attempt.get("flags", {}).items() if k in known},
            "submitted": bool(attempt.get("submitted")),
            "content_changed": started and self._content_changed(attempt),
            "timed_out": bool(attempt.get("timed_out")),
            "results": results,
            "grading": self.grading,
            "completed_attempts": self.attempts_completed,
            "max_attempts": self.max_attempts,
            "attempts_left": self.attempts_left(),
            "best_score": self.score_earned,
            "leaderboard": self.leaderboard(),
        }

    # --------------------------------------------------------------- grading
    def _score_item(self, item: dict[str, Any], flags: list[list[int]], lang: str):
        gold = [(h["start"], h["end"]) for h in item["hallucinations"]]
        traps = [(t["start"], t["end"]) for t in item.get("traps", [])]
        units = unit_spans(item["text"], lang)
        return score_spans(len(item["text"]), gold, flags, units=units, traps=traps, grading=self.grading)

    def _results(self, items: list[dict[str, Any]], attempt: dict[str, Any], lang: str) -> dict[str, Any]:
        """Feedback for a submitted attempt: each hallucination found or missed, each false alarm, the scores."""
        reveal = self._reveal_missed()
        per_item = []
        for item in items:
            flags = attempt.get("flags", {}).get(item["id"], [])
            result = self._score_item(item, flags, lang)
            hallucinations = []
            for index, h in enumerate(item["hallucinations"]):
                found = index in result.found
                label = KIND_LABELS[h["kind"]]
                entry = {"found": found, "coverage": round(result.coverage[index], 3), "kind": h["kind"], "kind_label": self._(label)}
                if found or reveal:
                    entry.update(start=h["start"], end=h["end"], explanation=h["explanation"], correction=h["correction"], reference=h.get("reference"))
                hallucinations.append(entry)
            alarms = []
            for alarm in result.false_alarms:
                trap = item["traps"][alarm.trap] if alarm.trap is not None else None
                alarms.append({"start": alarm.start, "end": alarm.end, "trap": {"explanation": trap["explanation"], "reference": trap.get("reference")} if trap else None})
            per_item.append({
                "id": item["id"],
                "score": result.score,
                "iou": result.iou,
                "found": len(result.found),
                "missed": len(result.missed),
                "total": len(item["hallucinations"]),
                "hallucinations": hallucinations,
                "false_alarms": alarms,
                "flags": [list(flag) for flag in result.flags],
            })
        score = sum(entry["score"] for entry in per_item) / len(per_item) if per_item else 0.0
        return {"score": score, "items": per_item, "revealed": reveal}

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        state = self.user_state()
        count = len(state["items"]) or len(self._draw_items(state["attempt_number"]))
        return self.build_fragment(
            "hallucination_detector/student.html",
            {"title": self.title(), "count": count, "time_limit": self.time_limit, "grading": self.grading,
             "max_attempts": self.max_attempts, "leaderboard": self.leaderboard_enabled},
            js_class="LdaiHallucinationDetector",
            js_args={"state": state, "kind_labels": {k: self._(v) for k, v in KIND_LABELS.items()}},
            css=("css/hallucination_detector.css",),
            js=("js/hallucination_detector.js",),
        )

    def studio_view(self, context=None):
        return self.build_fragment(
            "hallucination_detector/studio.html",
            {
                "values": {
                    "display_name": self.display_name,
                    "job_family": self.job_family,
                    "grading": self.grading,
                    "reveal": self.reveal,
                    "time_limit": self.time_limit,
                    "max_attempts": self.max_attempts,
                    "weight": self.weight,
                    "leaderboard_enabled": self.leaderboard_enabled,
                    "leaderboard_size": self.leaderboard_size,
                    "leaderboard_anonymous": self.leaderboard_anonymous,
                    **self.team_studio_values(),
                    "pack": self.pack,
                    "custom_content": self.custom_content,
                },
                "packs": self.pack_options(),
                                "kinds": [(k, self._(v)) for k, v in KIND_LABELS.items()],
                "default_title": self.default_title(),
            },
            js_class="LdaiHallucinationDetectorStudio",
            js_args={"kind_labels": {k: self._(v) for k, v in KIND_LABELS.items()}, "language": self.language()},
            css=("css/hallucination_detector.css",),
            js=("js/hallucination_detector.js", "js/hallucination_detector_studio.js"),
        )

    # --------------------------------------------------------------- handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's state, for the JS at start-up and the mobile apps (GET or POST)."""
        return json_response(self.user_state())

    def _open_attempt(self) -> dict[str, Any]:
        attempt = self._ensure_attempt()
        if not attempt:
            raise UserError(self._("Start the hunt first."), 409, code="not_started")
        if attempt.get("submitted"):
            raise UserError(self._("This attempt is over. Start a new attempt to flag again."), 409, code="attempt_over")
        return attempt

    def _clean_flags(self, item: dict[str, Any], raw: Any) -> list[list[int]]:
        if isinstance(raw, list) and len(raw) > MAX_FLAGS_PER_TEXT:
            raise UserError(self._("Too many flags on one text: remove some and try again."), code="too_many_flags")
        try:
            spans = check_spans(raw, len(item["text"]), "flags")
        except SpanError as error:
            raise UserError(self._("Your flags could not be read. Reload the page: the flags saved so far are kept."), code="bad_flags") from error
        return [list(span) for span in merge_spans(spans)]

    def _item(self, attempt: dict[str, Any], item_id: Any) -> dict[str, Any]:
        for item in self._attempt_items(attempt):
            if item["id"] == item_id:
                return item
        raise UserError(self._("This text is not part of the activity. Reload the page to continue."), code="unknown_item")

    @json_api
    def start_attempt(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Start the first timed attempt, or a new attempt after a submitted one (while attempts remain)."""
        attempt = self._attempt()
        if attempt and not attempt.get("submitted"):
            return self.user_state()
        if self.attempts_left() == 0:
            raise UserError(self._("You have used all your attempts."), 409, code="no_attempts_left")
        if attempt:
            self.history = attempt_history(self.history, attempt)
            self.emit("retried", {"attempt": self.attempts_completed + 1})
        self._new_attempt()
        return self.user_state()

    @json_api
    def save_flags(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Keep the learner's flags of one text as they work, so a reload or a lost connection loses nothing."""
        attempt = self._open_attempt()
        if self._time_is_up(attempt):
            raise UserError(self._("Time is up: flags made after the end are not kept. Submit to see your results."), 409, code="time_up")
        item = self._item(attempt, data.get("item_id"))
        flags = self._clean_flags(item, data.get("flags"))
        self._store({**attempt, "flags": {**attempt.get("flags", {}), item["id"]: flags}})
        return {"saved": True, "item_id": item["id"], "flags": flags}

    @json_api
    def submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Grade the attempt: every text, with the flags sent (or, after the deadline, the flags saved in time)."""
        attempt = self._open_attempt()
        items = self._attempt_items(attempt)
        flags = dict(attempt.get("flags", {}))
        timed_out = self._time_is_up(attempt)
        sent = data.get("flags", {})
        if not isinstance(sent, dict):
            raise UserError(self._("Your flags could not be read. Reload the page: the flags saved so far are kept."), code="bad_flags")
        if not timed_out:
            by_id = {item["id"]: item for item in items}
            for item_id, raw in sent.items():
                if item_id not in by_id:
                    raise UserError(self._("This text is not part of the activity. Reload the page to continue."), code="unknown_item")
                flags[item_id] = self._clean_flags(by_id[item_id], raw)
        submitted_at = _now()
        attempt = {**attempt, "flags": flags, "submitted": True, "submitted_at": submitted_at.isoformat(), "timed_out": timed_out}
        lang = self._attempt_lang(attempt)  # a pending attempt's texts are kept in the content's language (_keep_texts)
        results = self._results(items, attempt, lang)
        summary = {entry["id"]: {"score": round(entry["score"], 4), "found": entry["found"], "missed": entry["missed"], "false_alarms": len(entry["false_alarms"])} for entry in results["items"]}
        # The summary joins ``history`` when the next attempt starts (start_attempt): this submit writes the attempt anyway.
        attempt = self._store({**attempt, ATTEMPT_SUMMARY: {"number": attempt["number"], "score": results["score"], "items": summary,
                                                            "submitted_at": attempt["submitted_at"], "timed_out": timed_out}})
        self.record_attempt(results["score"])
        self.record_on_leaderboard(results["score"])
        elapsed = (submitted_at - datetime.fromisoformat(attempt["started"])).total_seconds()
        self.record_evidence(hunt_signals(summary))
        if timed_out:
            self.emit("time_expired", {"attempt": attempt["number"], "time_limit": self.time_limit})
        self.emit("submitted", {
            "attempt": attempt["number"], "score": results["score"], "grading": self.grading, "items": summary,
            "elapsed_seconds": round(elapsed, 1), "timed_out": timed_out, "max_attempts": self.max_attempts,
            **self.team_event_data(),
        })
        return self.user_state((attempt, items, results))

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the settings and the annotated content, all or nothing, with a message next to each wrong field."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {
            **COMMON_SETTINGS,
            "time_limit": (int, 0, 240),
            **LEADERBOARD_SETTINGS,
            **TEAM_SETTINGS,
        }, choices={"job_family": JOB_FAMILY_CHOICES})
        team_values, team_errors = self.check_team_fields(data)
        values.update(team_values)
        errors.update(team_errors)
        grading = data.get("grading", self.grading)
        if grading not in GRADINGS:
            errors["grading"] = [self._("Choose one of the listed options.")]
        reveal = data.get("reveal", self.reveal)
        if reveal not in REVEAL:
            errors["reveal"] = [self._("Choose one of the listed options.")]
        values.update(grading=grading, reveal=reveal)  # saved with the others, or none of them (save_studio_fields)
        return self.save_studio_fields(data, values, errors)

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The JSON of a default pack, so an author can start annotating from it (Studio only)."""
        from ..content import load_pack

        self.refuse_learners()
        ref = data.get("pack")
        ref = self.pack_ref() if ref in (None, AUTO_PACK) else ref
        try:
            return {"document": load_pack(self.content_kind, ref)}
        except (KeyError, TypeError) as error:
            raise UserError(self._("Choose one of the listed packs."), fields={"pack": [self._("Choose one of the listed packs.")]}) from error


    @json_api
    def preview(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Units of a text being written in Studio, and the score of the author's test flags against their marks."""
        text, lang = data.get("text"), data.get("lang")
        if not isinstance(text, str) or not text.strip() or len(text) > 20000:
            raise UserError(self._("Write the text first (at most 20,000 characters)."), code="bad_text")
        lang = lang if lang in ("en", "fr") else self.language()
        units = unit_spans(text, lang)
        response: dict[str, Any] = {"units": [list(u) for u in units]}
        if "flags" in data:
            try:
                result = score_spans(len(text), data.get("gold", []), data.get("flags"), units=units,
                                     traps=data.get("traps", []), grading=self.grading)
            except ValueError as error:
                raise UserError(self._("Some marks do not fit the text: fix the marks shown in error first."), code="bad_marks") from error
            response["result"] = {"score": result.score, "found": list(result.found), "missed": list(result.missed),
                                  "false_alarms": [[a.start, a.end] for a in result.false_alarms]}
        return response

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the instructors' "Problem Responses" CSV: one per learner and text, with flags and score."""
        lang = self._lang()
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            attempt = state.get("current_attempt") or {}
            if not attempt.get("submitted"):
                continue
            raw_texts = state.get("attempt_texts") or ""
            items = {item["id"]: item for item in self._attempt_items(attempt, raw_texts)}
            snapshot = self._snapshot(attempt, raw_texts)
            attempt_lang = (snapshot or {}).get("lang") or lang
            for item_id, flags in (attempt.get("flags") or {}).items():
                item = items.get(item_id)
                if item is None:
                    continue
                if limit_responses is not None and count >= limit_responses:
                    return
                try:
                    result = self._score_item(item, flags, attempt_lang)
                except ValueError:
                    continue
                yield getattr(user_state, "username", ""), {
                    "Attempt": attempt.get("number"),
                    "Text": item["title"],
                    "Flags": " | ".join(item["text"][s:e] for s, e in result.flags),
                    "Found": len(result.found),
                    "Missed": len(result.missed),
                    "False alarms": len(result.false_alarms),
                    "Score": round(result.score, 4),
                }
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai hallucination detector", "<ldai_hallucination_detector/>"),
            ("ldai hallucination hunt (timed, leaderboard)",
             '<ldai_hallucination_detector job_family="finance" time_limit="5" leaderboard_enabled="true" max_attempts="3"/>'),
            ("ldai détecteur d'hallucinations (pack français)", '<ldai_hallucination_detector pack="fr/hr"/>'),
        ]


def _now() -> datetime:
    return datetime.now(UTC)
