"""Sample tracking events, one per (activity, action) our blocks publish, shaped as the blocks publish them."""

ACTOR = {"home_page": "https://moodle.example.org", "id": "5f0c3a9d2b7e4e1f8a6c0d4b9e2f7a13"}
CONTEXT = {
    "activity_id": "https://tool.example.org/lti/activity/deployment-a/link-7",
    "activity_name": "Les risques de l'IA au travail",
    "course_id": "https://moodle.example.org/course/view.php?id=4",
    "course_name": "Culture IA",
    "language": "fr",
    "job_family": "finance",
}

EVENTS = {
    "ldai.risk_quiz.answered": {"question_id": "q-bias-01", "category": "bias", "selected": ["b"], "score": 1.0, "attempt": 1},
    "ldai.risk_quiz.submitted": {"attempt": 1, "score": 0.83, "passed": True, "categories": {"bias": 1.0, "data_protection": 0.5}, "max_attempts": 3},
    "ldai.risk_quiz.retried": {"attempt": 2},
    "ldai.hallucination_detector.started": {"attempt": 1, "time_limit": 300},
    "ldai.hallucination_detector.retried": {"attempt": 2},
    "ldai.hallucination_detector.time_expired": {"attempt": 1, "time_limit": 300},
    "ldai.hallucination_detector.submitted": {
        "attempt": 1, "score": 0.5, "grading": "claim_f1", "items": [{"id": "t1", "score": 0.5, "flags": [[0, 10]]}],
        "elapsed_seconds": 143.2, "timed_out": False, "max_attempts": 2,
    },
    "ldai.hallucination_detector.team_joined": {"team": "finance-paris"},
    "ldai.hallucination_detector.award_earned": {"award": "team_first", "rank": 1, "team": "finance-paris"},
    "ldai.prompt_sandbox.team_joined": {"team": "sales"},
    "ldai.prompt_sandbox.award_earned": {"award": "top_list", "rank": 3, "team": "sales"},
    "ldai.prompt_sandbox.submitted": {
        "attempt": 2, "score": 86, "grade": 0.86, "criteria": {"role": 2, "context": 1}, "sensitive_kinds": ["email"],
        "capped": False, "llm_used": False, "scenario": "sales-follow-up", "prompt": "Write to jane.doe@client.example about...",
    },
    "ldai.skills_map.self_assessed": {"job_family": "finance", "competence_levels": {"prompting": 1, "report-automation": 0},
                                      "competences": ["prompting", "report-automation"], "complete": False},
    "ldai.skills_map.launched": {"job_family": "finance", "readiness": 0.42, "competences": ["output-verification", "report-automation"]},
    "ldai.skills_map.submitted": {"job_family": "finance", "score": 1.0, "grading": "completion", "competences": ["output-verification"]},
}


def event(name: str, **overrides) -> dict:
    return {"name": name, "data": dict(EVENTS[name]), "actor": dict(ACTOR), "context": dict(CONTEXT),
            "timestamp": "2026-12-01T09:30:00Z", **overrides}
