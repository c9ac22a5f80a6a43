"""Chinese tokens for routing: jieba with a user dictionary of the words government requests
use (公积金, 居住证, 港澳通行证, 12345 …), so that these stay whole."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

USER_DICTIONARY = Path(__file__).with_name("data") / "userdict.txt"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_SKIP = re.compile(r"^[\s\W_]+$")
_DIGITS = re.compile(r"^\d+(\.\d+)?$")
_KEEP_NUMBERS = frozenset({"12345", "12348", "12315"})


def tokenizer() -> jieba.Tokenizer:
    """The process's tokeniser, made on first use (loading its dictionary takes about a
    second)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                made.load_userdict(str(USER_DICTIONARY))
                _tokenizer = made
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Words of ``text``, lower-cased, without punctuation or spaces; numbers (other than the
    hotlines' own) become ``#`` so that amounts and dates do not count as words."""
    words: list[str] = []
    for token in tokenizer().lcut(text.lower()):
        if _SKIP.match(token):
            continue
        if _DIGITS.match(token) and token not in _KEEP_NUMBERS:
            token = "#"  # noqa: S105 — a number's stand-in, not a secret
        words.append(token)
    return words
