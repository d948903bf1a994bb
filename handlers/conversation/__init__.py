"""The conversation: what a message means for the person who sent it.

The dispatcher resolves who is speaking and their state once per update, then asks the routers
that `routers.py` declares for that audience, in order; the first handler whose filters match
answers. One module per role or theme (residents, officers, correspondents, handoffs, media…);
shared ticket work goes through `handlers.ops`, queries through `storage.repos`.
"""
