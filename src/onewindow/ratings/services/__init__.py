"""The ratings front door for writes (好差评). Other apps call only what is exported here."""

from onewindow.ratings.services.invite import subjects_invite_unrated
from onewindow.ratings.services.links import LinkGone, LinkNotFound
from onewindow.ratings.services.rate import AlreadyRated, SubjectNotFound, rating_submit
from onewindow.ratings.services.subjects import subject_expect

__all__ = [
    "AlreadyRated",
    "LinkGone",
    "LinkNotFound",
    "SubjectNotFound",
    "rating_submit",
    "subject_expect",
    "subjects_invite_unrated",
]
