"""Ticket operations: what conversation, jobs, the admin API, intake and the console share.

Create, place, route and assign tickets; queue notices; followers and duplicates; verification
of correspondents reports; points; attachments; privacy and erasure; the one table of event
names; role constants; the services object. No chat words, no HTTP, and no import of
`handlers.conversation` or `handlers.jobs`.
"""
