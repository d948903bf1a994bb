"""Repositories by entity: the queries of tickets, people, attachments, conversation states and
applications. Each takes a session and never commits."""
