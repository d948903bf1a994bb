"""Helpers the tests share: plain modules (never collected), imported by test modules and
conftest files alike. Fixtures stay in the conftest.py of the directory that uses them."""
