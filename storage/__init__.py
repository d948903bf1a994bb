"""Storage: the config model, SQLAlchemy models, repositories by entity (`repo.py`,
`repos/`), the ticket state machine, the unit of work (`db.py`), the outbox, Alembic
migrations. Repositories take a session and never commit; the unit of work commits once per
update. Nothing here imports `handlers` or `bot`."""
