"""Suggested routing (智能派单) for the dispatcher: the categories the trained classifier finds
likeliest for a request's text, each with the department the dispatch catalogue names for
that category in the request's area. The dispatcher decides; without a trained model
(``onewindow interaction_train`` not run yet) there is simply no suggestion."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from onewindow.identity.selectors import departments_by_ids
from onewindow.interaction.models import Category
from onewindow.interaction.routing.model import MODEL_FILE, ModelFileError, RoutingModel
from onewindow.interaction.services.loop_dispatch import dispatch_suggest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutingSuggestion:
    category_code: str
    category_name: str
    probability: float
    department_id: int | None
    department_name: str


_lock = threading.Lock()
_loaded: tuple[float, RoutingModel] | None = None


def _model() -> RoutingModel | None:
    """The saved model, loaded once per process and again when the file changes."""
    global _loaded
    path = Path(settings.VAR_DIR) / MODEL_FILE
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != mtime:
            try:
                _loaded = (mtime, RoutingModel.load(Path(settings.VAR_DIR)))
            except ModelFileError as error:
                log.warning("routing model not usable: %s", error)
                return None
        return _loaded[1]


def routing_suggestions(
    *, text: str, region_code: str, street_code: str = "", k: int = 3
) -> list[RoutingSuggestion]:
    model = _model()
    if model is None or not text.strip():
        return []
    found = model.suggest(text, k=k)
    categories = {
        c.code: c
        for c in Category.objects.filter(code__in=[s.category for s in found], active=True)
    }
    routes = {}
    for code, category in categories.items():
        routes[code] = dispatch_suggest(
            category_id=category.pk, region_code=region_code, street_code=street_code
        )
    names = {
        d.pk: d.name
        for d in departments_by_ids(ids={r.department_id for r in routes.values() if r})
    }
    out = []
    for suggestion in found:
        known = categories.get(suggestion.category)
        if known is None:
            continue  # a category the office has since retired
        route = routes.get(suggestion.category)
        out.append(
            RoutingSuggestion(
                category_code=known.code,
                category_name=known.name,
                probability=round(suggestion.probability, 3),
                department_id=route.department_id if route else None,
                department_name=names.get(route.department_id, "") if route else "",
            )
        )
    return out
