"""Scheduled work apart from request handling: the named sweeps `bot.scheduler` runs
(reminders, escalation, follow-up, digests, draft expiry), each an async function of the
database, idempotent through once-only claims."""
