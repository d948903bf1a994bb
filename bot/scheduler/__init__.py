"""Runs the named sweeps of `handlers.jobs` with APScheduler, on one leader per database."""
