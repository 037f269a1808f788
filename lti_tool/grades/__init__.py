"""Grades that are never lost: the outbox (written with the learner's state), AGS delivery, the admin.

``outbox.record_score`` queues a score inside the runtime's transaction; on commit,
``scheduling`` hands the row to a Celery worker (``ldai.deliver_grade``, with beat's sweep as the
safety net) or, without a broker, to ``sender.in_process``, a thread of the web process;
``sender.run_worker`` drains the outbox in one process (``ldai lti send-grades``);
``outcome.classify`` says what a platform's answer means (delivered, retry, refused and why).
"""
