"""The shape of the phrase tables the training corpus is generated from."""

from __future__ import annotations

from typing import NamedTuple

CONSULT = "consultation"
SUGGEST = "suggestion"
COMPLAINT = "complaint"
REPORT = "report"
HELP = "help"
PRAISE = "praise"


class Leaf(NamedTuple):
    # What a thank-you in this category names ("表扬…的工作人员").
    topics: tuple[str, ...]
    # (kind, template): quite different ways a request in this category is put.
    scenarios: tuple[tuple[str, str], ...]
