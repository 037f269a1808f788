"""Grades that are never lost: the outbox (written with the learner's state), AGS delivery, the admin.

``outbox.record_score`` queues a score inside the runtime's transaction;
``sender.run_worker`` delivers the queue (``ldai lti send-grades``) and
``sender.in_process`` does the same inside the web process for a single machine;
``outcome.classify`` says what a platform's answer means (delivered, retry, refused and why).
"""
