"""What things mean, in three one-way layers.

- `handlers.conversation`: what a message means for each role (dispatcher, router registry,
  context, declared states, one module per role).
- `handlers.ops`: ticket operations every caller shares (create/place/route/assign, notices,
  followers, verification, points, attachments, privacy, event names, roles); no chat words
  and no HTTP.
- `handlers.jobs`: the scheduled sweeps.

Conversation and jobs call ops; ops calls storage and nlp and never the layers above it.
Nothing here imports `bot`: HTTP and WeChat stay at the edge.
"""
