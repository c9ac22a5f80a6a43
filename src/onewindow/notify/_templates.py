"""Templates as data: the rows operators edit, read through a per-process copy that is
refreshed whenever a row is saved (a version stamp in the shared cache), and the checks a
template must pass before it is saved: its variables are the parameters it declares, and
its worst case fits every channel it may go by."""

from __future__ import annotations

import contextlib
import contextvars
import re
import string
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache

VERSION_KEY = "notify:templates:version"

# SMS: vendors cap one variable (Aliyun 35 characters) and the whole text (500).
SMS_PARAM_MAX = 35
SMS_TEXT_MAX = 300  # the free text of ``notice`` and ``push_reminder``
# Templates whose one parameter is a whole text another app wrote: it may be that long.
FREE_TEXT = frozenset({"notice", "push_reminder"})
SMS_MAX_CHARS = 500
# WeChat's typed template fields (订阅通知 / 类目模板): the longest value each type takes.
WECHAT_FIELD_LIMITS: dict[str, int] = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "amount": 10,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,
    "phrase": 5,
    "time": 20,
    "date": 20,
    "const": 20,
}
WECHAT_FIELD = re.compile(r"^([a-z_]+?)(\d+)$")


@dataclass(frozen=True)
class TemplateText:
    code: str
    params: frozenset[str]
    title: str
    body: str
    title_en: str = ""
    body_en: str = ""
    limits: Mapping[str, int] = field(default_factory=dict)
    wechat_template_id: str = ""
    wechat_kind: str = "template"
    wechat_fields: Mapping[str, str] = field(default_factory=dict)

    def text(self, language: str) -> tuple[str, str]:
        """(title, body) in ``language`` ("en…" or Chinese), Chinese where no English."""
        if language.lower().startswith("en") and self.body_en:
            return self.title_en or self.title, self.body_en
        return self.title, self.body

    def limit(self, name: str) -> int:
        default = default_limit(self.code)
        try:
            return int(self.limits.get(name, default))
        except (TypeError, ValueError):
            return default


def default_limit(code: str) -> int:
    """The longest value a parameter of the template takes where no limit is declared."""
    return SMS_TEXT_MAX if code in FREE_TEXT else SMS_PARAM_MAX


def placeholders(text: str) -> set[str]:
    """The ``{name}`` variables of a text (ValueError for a malformed brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


_copy: dict[str, TemplateText] | None = None
_copy_version: object = None
_copy_read_at = 0.0
# With a cache the processes share (Redis), an edit is seen at once; with the embedded
# default (each process its own memory) every process reads the rows again this often.
COPY_SECONDS = 60.0


def _builtin() -> dict[str, TemplateText]:
    from onewindow.notify.messages import EN_TEXTS, MESSAGE_TITLES, SMS_TEMPLATES

    out = {}
    for code, body in SMS_TEMPLATES.items():
        title_en, body_en = EN_TEXTS.get(code, ("", ""))
        out[code] = TemplateText(
            code=code,
            params=frozenset(placeholders(body)),
            title=MESSAGE_TITLES.get(code, MESSAGE_TITLES["notice"]),
            body=body,
            title_en=title_en,
            body_en=body_en,
        )
    return out


def _from_row(row: object) -> TemplateText:
    return TemplateText(
        code=row.code,  # type: ignore[attr-defined]
        params=frozenset(str(p) for p in row.params),  # type: ignore[attr-defined]
        title=row.title,  # type: ignore[attr-defined]
        body=row.body,  # type: ignore[attr-defined]
        title_en=row.title_en,  # type: ignore[attr-defined]
        body_en=row.body_en,  # type: ignore[attr-defined]
        limits=dict(row.limits or {}),  # type: ignore[attr-defined]
        wechat_template_id=row.wechat_template_id,  # type: ignore[attr-defined]
        wechat_kind=row.wechat_kind,  # type: ignore[attr-defined]
        wechat_fields=dict(row.wechat_fields or {}),  # type: ignore[attr-defined]
    )


# Inside ``pinned()`` the copy is used as it is: a call telling many people looks the
# version up once, not once per person and text.
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notify_templates_pinned", default=False
)


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """The templates as they are now, for the length of the block (one version check)."""
    if _pinned.get():
        yield
        return
    all_templates()
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def all_templates() -> dict[str, TemplateText]:
    """Every template by code: the rows, and the built-in texts that have no row yet."""
    global _copy, _copy_version, _copy_read_at
    if _copy is not None and _pinned.get():
        return _copy
    version = cache.get(VERSION_KEY, 0)
    stale = time.monotonic() - _copy_read_at > COPY_SECONDS
    if _copy is None or version != _copy_version or stale:
        from onewindow.notify.models import Template

        merged = _builtin()
        try:
            rows = list(Template.objects.all())
        except Exception:  # no table yet (before migrate): the built-in texts
            rows = []
        merged.update({row.code: _from_row(row) for row in rows})
        _copy, _copy_version, _copy_read_at = merged, version, time.monotonic()
    return _copy


def current(code: str) -> TemplateText | None:
    return all_templates().get(code)


def forget() -> None:
    """After a template is saved (or a test's rows are rolled back): every process reads
    the rows again."""
    global _copy
    _copy = None
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def problems(
    *,
    code: str,
    params: Iterable[str],
    title: str,
    body: str,
    title_en: str = "",
    body_en: str = "",
    limits: Mapping[str, object] | None = None,
    wechat_template_id: str = "",
    wechat_fields: Mapping[str, str] | None = None,
    sign_name: str = "",
) -> dict[str, list[str]]:
    """What is wrong with a template, by field (empty: it may be saved). Chinese messages
    for the operator's form."""
    from django.utils.translation import gettext as _

    errors: dict[str, list[str]] = {}

    def add(where: str, message: str) -> None:
        errors.setdefault(where, []).append(message)

    declared = {str(p).strip() for p in params if str(p).strip()}
    for name in declared:
        if not name.isidentifier():
            add("params", _("参数名“%(name)s”不合法（只能用字母、数字和下划线）") % {"name": name})
    limits = dict(limits or {})
    parsed_limits: dict[str, int] = {}
    for name, value in limits.items():
        if name not in declared:
            add("limits", _("限长写了未声明的参数“%(name)s”") % {"name": name})
            continue
        try:
            parsed_limits[name] = int(str(value))
        except ValueError:
            add("limits", _("参数“%(name)s”的限长不是整数") % {"name": name})
            continue
        if parsed_limits[name] < 1:
            add("limits", _("参数“%(name)s”的限长不是正整数") % {"name": name})
    texts = {"title": title, "body": body, "title_en": title_en, "body_en": body_en}
    used: dict[str, set[str]] = {}
    malformed: set[str] = set()
    for where, text in texts.items():
        try:
            used[where] = placeholders(text)
        except ValueError:
            add(where, _("花括号不成对"))
            used[where] = set()
            malformed.add(where)
            continue
        for name in sorted(used[where] - declared):
            add(where, _("变量“{%(name)s}”未在参数中声明") % {"name": name})
    if not body.strip():
        add("body", _("正文不能为空"))
    unused = set() if malformed else declared - used["body"] - used["title"]
    for name in sorted(unused):
        add("body", _("声明的参数“%(name)s”没有出现在正文中") % {"name": name})
    if body_en.strip() and used["body_en"] != used["body"]:
        add("body_en", _("英文正文的变量须与中文正文相同"))
    # SMS: the worst case (every parameter at its longest) with the sign name.
    default = default_limit(code)
    if not malformed:
        longest = len(f"【{sign_name}】") + len(
            string.Formatter().vformat(body, (), {n: "" for n in used["body"]})
        )
        longest += sum(min(parsed_limits.get(n, default), default) for n in used["body"])
        if longest > SMS_MAX_CHARS:
            add(
                "body",
                _("短信最长可达%(n)d字，超过%(max)d字的上限")
                % {"n": longest, "max": SMS_MAX_CHARS},
            )
    # WeChat: each field within its type's limit.
    for key, value in (wechat_fields or {}).items():
        match = WECHAT_FIELD.match(str(key))
        if not match or match.group(1) not in WECHAT_FIELD_LIMITS:
            add("wechat_fields", _("微信模板字段“%(key)s”的类型未知") % {"key": key})
            continue
        cap = WECHAT_FIELD_LIMITS[match.group(1)]
        try:
            names = placeholders(str(value))
        except ValueError:
            add("wechat_fields", _("微信模板字段“%(key)s”花括号不成对") % {"key": key})
            continue
        for name in sorted(names - declared):
            add(
                "wechat_fields",
                _("微信模板字段“%(key)s”的变量“{%(name)s}”未在参数中声明")
                % {"key": key, "name": name},
            )
        fixed = len(string.Formatter().vformat(str(value), (), {n: "" for n in names}))
        worst = fixed + sum(parsed_limits.get(n, default) for n in names & declared)
        if worst > cap:
            add(
                "wechat_fields",
                _("微信模板字段“%(key)s”最长可达%(n)d字，超过该类字段%(cap)d字的上限")
                % {"key": key, "n": worst, "cap": cap},
            )
    if wechat_fields and not wechat_template_id.strip():
        add("wechat_template_id", _("填写了微信字段，须同时填写微信模板编号"))
    return errors
