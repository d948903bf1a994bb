"""One preparation of a message for every later stage: cleaned, homophones fixed, segmented."""

from __future__ import annotations

import logging

from nlp.normalize import DATA, REAL_WORD_FREQ, Homophones, clean
from nlp.segment import Segmenter

logger = logging.getLogger(__name__)


class TextPrep:
    def __init__(self) -> None:
        self.segmenter = Segmenter()
        self.segmenter.warm()
        self.homophones = Homophones.from_file(
            DATA / "homophones.txt",
            lambda span: self.segmenter.word_freq(span) >= REAL_WORD_FREQ)

    def normalise(self, text: str) -> str:
        fixed, changes = self.homophones.rewrite(clean(text))
        if changes:
            logger.debug("homophones %s", changes)
        return fixed

    def prepare(self, text: str) -> tuple[str, list[str]]:
        norm = self.normalise(text)
        return norm, self.segmenter.cut(norm)
