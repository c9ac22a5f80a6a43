"""The controlled vocabulary in ``catalog/vocabulary.yaml``: licence types, exchange
resources, life events and topics."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import get_language

SECTIONS = ("licence_types", "exchange_resources", "life_events", "topics")


def default_catalog_dir() -> Path:
    configured = getattr(settings, "CATALOG_DIR", None) or os.environ.get("ONEWINDOW_CATALOG_DIR")
    if configured:
        return Path(configured)
    return Path(settings.PACKAGE_DIR).parent.parent / "catalog"


def default_vocabulary_path() -> Path:
    return default_catalog_dir() / "vocabulary.yaml"


@dataclass(frozen=True)
class Vocabulary:
    licence_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    exchange_resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    life_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Vocabulary:
        return cls(**{name: dict(data.get(name) or {}) for name in SECTIONS})

    def label(self, section: str, code: str) -> str:
        """The entry's name in the active language, or the code itself."""
        entry = getattr(self, section).get(code) or {}
        english = (get_language() or "").startswith("en")
        return str((entry.get("en") if english else None) or entry.get("zh") or code)

    def choices(self, section: str) -> list[tuple[str, str]]:
        return [(code, self.label(section, code)) for code in getattr(self, section)]


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Vocabulary:
    with open(path, encoding="utf-8") as handle:
        return Vocabulary.from_mapping(yaml.safe_load(handle) or {})


def vocabulary_load(path: Path | None = None) -> Vocabulary:
    target = path or default_vocabulary_path()
    if not target.exists():
        return Vocabulary()
    return _load(str(target), target.stat().st_mtime)
