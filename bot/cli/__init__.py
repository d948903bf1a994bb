"""The `gridbot` command (`main.py`); subcommands import what they need when they run, so
`gridbot classify` does not load the web stack."""
