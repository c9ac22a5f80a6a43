"""The ratings front door for reads (好差评). Other apps call only what is exported here."""

from onewindow.ratings.selectors.resident import (
    RatingSummary,
    rating_summary_for,
    subject_for_link,
    subject_for_rater,
    subjects_rated_by,
    subjects_to_rate_for,
    summary_of,
)

__all__ = [
    "RatingSummary",
    "rating_summary_for",
    "subject_for_link",
    "subject_for_rater",
    "subjects_rated_by",
    "subjects_to_rate_for",
    "summary_of",
]
