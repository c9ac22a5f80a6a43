"""The interaction app's reads (its front door for other apps)."""

from onewindow.interaction.selectors.home import replies_home_section
from onewindow.interaction.selectors.knowledge import ArticleHit, articles_search
from onewindow.interaction.selectors.resident import (
    order_moves_public,
    request_for_user,
    requests_by_phone,
    requests_of_user,
)
from onewindow.interaction.selectors.similar import SimilarRequest, requests_similar

__all__ = [
    "ArticleHit",
    "SimilarRequest",
    "articles_search",
    "order_moves_public",
    "replies_home_section",
    "request_for_user",
    "requests_by_phone",
    "requests_of_user",
    "requests_similar",
]
