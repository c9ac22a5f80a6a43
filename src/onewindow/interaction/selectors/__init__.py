"""The interaction app's reads (its front door for other apps)."""

from onewindow.interaction.selectors.categories import (
    category_choices,
    category_id_for_code,
    category_leaf_lines,
    category_name,
    dispatch_rule_exists,
)
from onewindow.interaction.selectors.home import replies_home_section
from onewindow.interaction.selectors.knowledge import (
    ArticleHit,
    article_get,
    article_of_departments,
    articles_of_departments,
    articles_popular,
    articles_search,
)
from onewindow.interaction.selectors.queues import (
    DepartmentRequest,
    InboxRow,
    QueueRow,
    department_inbox,
    department_request_get,
    dispatcher_queue,
)
from onewindow.interaction.selectors.resident import (
    order_moves_public,
    request_filed_with_key,
    request_for_user,
    requests_by_phone,
    requests_of_user,
)
from onewindow.interaction.selectors.similar import SimilarRequest, requests_similar

__all__ = [
    "ArticleHit",
    "DepartmentRequest",
    "InboxRow",
    "QueueRow",
    "SimilarRequest",
    "article_get",
    "article_of_departments",
    "articles_of_departments",
    "articles_popular",
    "articles_search",
    "category_choices",
    "category_id_for_code",
    "category_leaf_lines",
    "category_name",
    "department_inbox",
    "department_request_get",
    "dispatch_rule_exists",
    "dispatcher_queue",
    "order_moves_public",
    "replies_home_section",
    "request_filed_with_key",
    "request_for_user",
    "requests_by_phone",
    "requests_of_user",
    "requests_similar",
]
