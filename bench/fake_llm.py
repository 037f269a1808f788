"""A fake OpenAI-compatible model for the load test: ``POST /v1/chat/completions`` on 127.0.0.1, slow on purpose.

Why a fake: the production profile of ``bench/bench_load.py`` must show that a slow model never
holds a web worker (the review runs as a Celery task the page polls for), without a paid API
and without the Internet. It speaks real HTTP in the shape ``ldai_xblocks.engine.llm`` sends and
parses (``choices[0].message.content``, ``usage``), and answers each request after ``delay``
seconds (2 s by default: a fast hosted model). The tool makes two calls per review: the model's
answer to the learner's (redacted) prompt, then the judge's verdict, which is recognised by the
data delimiters the tool wraps the prompt in and answered with a verdict JSON the parser accepts.
"""

from __future__ import annotations

import json
import threading
import time

from bench.local_http import LocalServer, QuietHandler
from ldai_xblocks.engine.llm import CRITERIA, DATA_START

API_PATH = "/v1/chat/completions"


def _completion(content: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "model": "bench-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 60, "total_tokens": 180},
    }).encode()


ANSWER = _completion("1. Your quote, as promised\n2. Following up on your request\n3. The figures you asked for")
VERDICT = _completion(json.dumps({"criteria": {name: {"level": 2, "comment": f"clear {name}"} for name in CRITERIA}}))


class FakeLlmServer(LocalServer):
    """Counts the completions it answered (``answered``); ``api_url`` is what ``LDAI_LLM_BASE_URL`` takes."""

    def __init__(self, delay: float = 2.0):
        self.answered = 0
        lock = threading.Lock()
        model = self

        class Handler(QuietHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != API_PATH:
                    self.answer(404)
                    return
                messages = json.loads(raw).get("messages") or [{}]
                body = VERDICT if DATA_START in str(messages[-1].get("content", "")) else ANSWER
                time.sleep(delay)
                self.answer(200, body)
                with lock:
                    model.answered += 1

        super().__init__(Handler, "bench-fake-llm")
        self.api_url = self.base_url + "/v1"
