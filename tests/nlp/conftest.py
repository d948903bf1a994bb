"""One warm analyser for the whole nlp test run: loading jieba is the slow part."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from nlp.text import TextPrep


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.fixture(scope="session")
def prep() -> TextPrep:
    return TextPrep()
