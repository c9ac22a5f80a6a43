"""What a rating asks, by the subject's channel (GB/T 39734/39735-2020): the dimensions and
the limits the form and the use case share."""

from __future__ import annotations

from onewindow.ratings.models import (
    BAD_AT_OR_BELOW,
    ONLINE_DIMENSIONS,
    WINDOW_DIMENSIONS,
    Dimension,
    Level,
    Subject,
)

# the resident's own words: as long as a hotline request's title is short
TEXT_MAX = 500

# Online (网上办事): overall, efficiency, the guide, convenience, the platform. At a window
# and on the hotline a person served the resident: the efficiency, skill and manner of the
# service (a hotline request is handled by a department's staff, not by a web form).
_BY_CHANNEL: dict[str, tuple[Dimension, ...]] = {
    Subject.Channel.ONLINE: ONLINE_DIMENSIONS,
    Subject.Channel.WINDOW: WINDOW_DIMENSIONS,
    Subject.Channel.HOTLINE: WINDOW_DIMENSIONS,
}

# best first, as the form lists them
LEVELS: tuple[Level, ...] = tuple(sorted(Level, reverse=True))


def dimensions_for(channel: str) -> tuple[Dimension, ...]:
    return _BY_CHANNEL.get(channel, ONLINE_DIMENSIONS)


def is_bad(level: int) -> bool:
    return level <= BAD_AT_OR_BELOW


# the largest id a database column holds (BIGINT); a larger one names nothing
ID_MAX = 2**63 - 1


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX
