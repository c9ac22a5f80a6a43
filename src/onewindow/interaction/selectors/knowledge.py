"""Searching the knowledge base: the answers most like the question, for the operator on the
phone and for the resident before filing."""

from __future__ import annotations

import functools
import operator
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.interaction.models import KnowledgeArticle
from onewindow.interaction.similarity import cosine, tokens

MIN_SCORE = 0.12
CANDIDATES = 200


@dataclass(frozen=True)
class ArticleHit:
    id: int
    title: str
    answer: str
    score: float
    category: str
    uses: int


def articles_search(
    *, text: str, limit: int = 5, include_unpublished: bool = False
) -> list[ArticleHit]:
    """The published, current answers most like ``text`` (best first, at most ``limit``)."""
    query = Counter(tokens(text))
    if not query:
        return []
    # candidates: any article naming one of the question's longest tokens
    words = sorted(query, key=len, reverse=True)[:8]
    where = functools.reduce(
        operator.or_,
        (Q(title__icontains=w) | Q(keywords__icontains=w) | Q(answer__icontains=w) for w in words),
    )
    rows = KnowledgeArticle.objects.filter(where).select_related("category")
    if not include_unpublished:
        today = timezone.localdate()
        rows = rows.filter(published=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    hits = []
    for article in rows[:CANDIDATES]:
        # the question and the keywords weigh more than the answer's body
        doc: Counter[str] = Counter(tokens(article.answer))
        for weight, field in ((3, article.title), (2, article.keywords)):
            for token in tokens(field):
                doc[token] += weight
        score = cosine(query, doc)
        if score >= MIN_SCORE:
            hits.append(
                ArticleHit(
                    id=article.pk,
                    title=article.title,
                    answer=article.answer,
                    score=round(score, 3),
                    category=article.category.name if article.category else "",
                    uses=article.uses,
                )
            )
    hits.sort(key=lambda hit: (-hit.score, -hit.uses, hit.id))
    return hits[:limit]


def article_get(*, article_id: int, published_only: bool = True) -> ArticleHit | None:
    """One answer of the knowledge base (the operator's chosen hit), current and published
    unless ``published_only`` is off."""
    rows = KnowledgeArticle.objects.select_related("category").filter(pk=article_id)
    if published_only:
        rows = rows.filter(published=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
        )
    article = rows.first()
    if article is None:
        return None
    return ArticleHit(
        id=article.pk,
        title=article.title,
        answer=article.answer,
        score=1.0,
        category=article.category.name if article.category else "",
        uses=article.uses,
    )


def articles_popular(*, limit: int = 10) -> list[ArticleHit]:
    """The published, current answers used most, for the knowledge page before a search."""
    today = timezone.localdate()
    rows = (
        KnowledgeArticle.objects.filter(published=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("category")
        .order_by("-uses", "-updated_at", "-pk")[:limit]
    )
    return [
        ArticleHit(
            id=a.pk,
            title=a.title,
            answer=a.answer,
            score=0.0,
            category=a.category.name if a.category else "",
            uses=a.uses,
        )
        for a in rows
    ]


def articles_of_departments(*, department_ids: set[int]) -> QuerySet[KnowledgeArticle]:
    """The answers these departments keep (published or not), newest change first."""
    return (
        KnowledgeArticle.objects.filter(department_id__in=department_ids)
        .select_related("category", "department")
        .order_by("-updated_at", "-pk")
    )


def article_of_departments(*, article_id: int, department_ids: set[int]) -> KnowledgeArticle | None:
    return (
        KnowledgeArticle.objects.filter(pk=article_id, department_id__in=department_ids)
        .select_related("category")
        .first()
    )
