"""The interaction app's writes (its front door for other apps)."""

from onewindow.interaction.services._common import RequestNotFound, WrongState
from onewindow.interaction.services.intake import (
    Contact,
    Filing,
    Location,
    Upload,
    request_answer_direct,
    request_file,
)
from onewindow.interaction.services.knowledge import article_save, article_used

__all__ = [
    "Contact",
    "Filing",
    "Location",
    "RequestNotFound",
    "Upload",
    "WrongState",
    "article_save",
    "article_used",
    "request_answer_direct",
    "request_file",
]
