"""What a guide's own words say must agree with the package: a ``conditions`` or ``summary``
text promising "N个工作日内办结" states the time limit the resident is promised, so it must be
the package's promised (or statutory) number of working days — otherwise the guide says one
thing and the deadline on the case another."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TEXTS = ("summary", "conditions")
# "0.5个工作日内办结", "3个工作日办结", "1个工作日内办理完毕"
DAYS_DONE = re.compile(r"(\d+(?:\.\d+)?)\s*个?工作日内?(?:办结|办理完毕|办完)")


def _days(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if isinstance(value, int | float) else None
    except InvalidOperation:
        return None


def working_days(n: int) -> str:
    """ "3个工作日" (plural forms in other languages)."""
    return ngettext("%(n)s个工作日", "%(n)s个工作日", n) % {"n": n}


def guide_fact_problems(
    data: Mapping[str, Any], *, add: Callable[[tuple[str | int, ...], str], None]
) -> None:
    limit = data.get("time_limit")
    if not isinstance(limit, Mapping):
        return
    allowed = {d for d in (_days(limit.get(k)) for k in ("promised_days", "statutory_days")) if d}
    if not allowed:
        return
    promised = limit.get("promised_days")
    if not isinstance(promised, int):
        return
    for key in TEXTS:
        text = data.get(key)
        for lang, value in text.items() if isinstance(text, Mapping) else []:
            if not isinstance(value, str):
                continue
            for match in DAYS_DONE.finditer(value):
                if Decimal(match.group(1)) in allowed:
                    continue
                add(
                    (key, lang),
                    _(
                        "文字写明“%(said)s”，与 time_limit 的承诺办结时限（%(promised)s）"
                        "不一致：请改正文字或时限。"
                    )
                    % {"said": match.group(0), "promised": working_days(promised)},
                )
