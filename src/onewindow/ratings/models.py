"""Ratings of every service (好差评), after 国办发〔2019〕51号 and GB/T 39734/39735-2020.

A ``Subject`` is something concluded that its resident may rate: a case (办件, 一事一评) or a
hotline request (诉求). The app that concluded it registers it (``subject_expect``) with a
snapshot of what the statistics need — the service, the department and the member of staff
who handled it — so this app reads no other app's tables. One ``Rating`` per subject, on the
national five-level scale, with the national dimensions and reasons from a fixed list.

A rating of 不满意 or worse opens a ``Rectification`` (整改) for whoever handled it, due in
working days (``TimeLimit``, held as data): the department fixes it, explains it, or appeals
a mistaken or malicious rating to the platform office (申诉复核); the resident is told and
rates the fix once (追评). Every real-name bad rating gets a return visit (回访).

Staff never see who rated: the rater is held on the rating and shown only to the department
doing the return visit of a real-name bad rating, and each look is audited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The national five levels (五级评价), 5 best."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# ratings at or below this level are bad (差评) and open a rectification
BAD_AT_OR_BELOW = Level.DISSATISFIED


class Dimension(models.TextChoices):
    """What is rated. Online (网上办事): overall, then the four second-level dimensions;
    at a window (线下): efficiency, skill and manner of the service."""

    OVERALL = "overall", _("整体满意度")
    EFFICIENCY = "efficiency", _("办事效率")
    GUIDE = "guide", _("办事指南准确度")
    CONVENIENCE = "convenience", _("办事便捷度")
    USABILITY = "usability", _("平台操作性")
    SERVICE_EFFICIENCY = "service_efficiency", _("服务效率")
    SERVICE_SKILL = "service_skill", _("服务水平")
    SERVICE_MANNER = "service_manner", _("服务态度")


ONLINE_DIMENSIONS = (
    Dimension.OVERALL,
    Dimension.EFFICIENCY,
    Dimension.GUIDE,
    Dimension.CONVENIENCE,
    Dimension.USABILITY,
)
WINDOW_DIMENSIONS = (
    Dimension.OVERALL,
    Dimension.SERVICE_EFFICIENCY,
    Dimension.SERVICE_SKILL,
    Dimension.SERVICE_MANNER,
)


class Reason(models.TextChoices):
    """Why a rating is bad (差评评价内容, after GB/T 39734-2020 附录A)."""

    GUIDE_WRONG = "guide_wrong", _("办事指南不准确、不清晰")
    EXTRA_MATERIALS = "extra_materials", _("要求提交指南以外的材料")
    TOO_SLOW = "too_slow", _("办理时间过长、超过承诺时限")
    MANY_TRIPS = "many_trips", _("需要多次跑动或反复提交")
    COMPLICATED = "complicated", _("办事流程繁琐")
    NOT_DONE = "not_done", _("诉求未解决或事项未办成")
    POOR_MANNER = "poor_manner", _("服务态度差")
    NO_REPLY = "no_reply", _("咨询无人答复或答复不清")
    SYSTEM_HARD = "system_hard", _("系统操作不便或出错")
    OTHER = "other", _("其他")


class Subject(models.Model):
    """A concluded case or request that its resident may rate (评价对象)."""

    class Kind(models.TextChoices):
        CASE = "case", _("办件")
        REQUEST = "request", _("诉求")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上办理")
        WINDOW = "window", _("窗口办理")
        HOTLINE = "hotline", _("热线")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # the concluding app's own key for it (the case's or request's primary key)
    ref = models.CharField(max_length=64)
    number = models.CharField(_("编号"), max_length=32)
    title = models.CharField(_("事项"), max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    # the service (事项) for cases, the hotline category for requests: what statistics group by
    service_code = models.CharField(max_length=100, blank=True)
    service_name = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # who handled it: the rectification of a bad rating is theirs (谁办理谁负责)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # who may rate: the resident's account and, for real-name subjects, their person record
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # where the resident is shown the thing rated (a path on this site)
    link = models.CharField(max_length=300, blank=True)
    concluded_at = models.DateTimeField()
    invited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="ratings_subject_once"),
        ]
        indexes = [
            models.Index(fields=["rater", "concluded_at"], name="ratings_subject_rater"),
            # the invitation sweep: concluded, not yet invited
            models.Index(
                fields=["concluded_at"],
                name="ratings_subject_uninvited",
                condition=models.Q(invited_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.number}"


class Rating(models.Model):
    """The resident's rating of one subject (一事一评): one per subject, never changed."""

    class Via(models.TextChoices):
        WEB = "web", _("网页")
        SMS_LINK = "sms_link", _("短信评价链接")
        API = "api", _("接口")

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # {dimension: level} for the dimensions of the subject's channel; overall == level
    dimensions = models.JSONField(default=dict)
    reasons = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.WEB)
    # who rated; never shown to staff except on the return visit of a real-name bad rating
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    real_name = models.BooleanField(default=True)
    # a mistaken or malicious rating the platform office struck out on appeal (申诉复核)
    voided = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="ratings_rating_at")]

    def __str__(self) -> str:
        return f"{self.subject}: {self.level}"

    @property
    def bad(self) -> bool:
        return self.level <= BAD_AT_OR_BELOW


class RatingLink(models.Model):
    """A one-time link to rate (sent by SMS): only its SHA-256 is kept."""

    class Purpose(models.TextChoices):
        RATE = "rate", _("评价")
        RATE_FIX = "rate_fix", _("追评整改")

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.RATE)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.subject} {self.purpose}"


class TimeLimit(models.Model):
    """How many working days a step of rectification may take (held as data)."""

    class Step(models.TextChoices):
        RECTIFY = "rectify", _("差评整改")
        VISIT = "visit", _("差评回访")
        APPEAL_REVIEW = "appeal_review", _("申诉复核")

    step = models.CharField(max_length=16, choices=Step.choices, unique=True)
    working_days = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.step}: {self.working_days}"


class Rectification(models.Model):
    """The rectification (整改) a bad rating opens for whoever handled the subject."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        APPEALED = "appealed", _("申诉复核中")
        ANSWERED = "answered", _("已反馈，待追评")
        CLOSED = "closed", _("已办结")
        VOIDED = "voided", _("申诉成立，差评已撤销")

    class Outcome(models.TextChoices):
        FIXED = "fixed", _("已整改")
        EXPLAINED = "explained", _("解释说明")
        APPEAL = "appeal", _("申诉")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    due = models.DateField()
    visit_due = models.DateField(null=True, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    visit_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    # what the department did or explains (for an appeal: why the rating is mistaken)
    answer = models.TextField(blank=True)
    legal_basis = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_note = models.TextField(blank=True)
    # the resident's one rating of the fix (追评)
    fix_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    fix_text = models.TextField(blank=True)
    fix_rated_at = models.DateTimeField(null=True, blank=True)
    supervised_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["department", "status", "due"], name="ratings_rect_inbox"),
            models.Index(
                fields=["due"],
                name="ratings_rect_open_due",
                condition=models.Q(status="open"),
            ),
        ]
        permissions = [
            ("rectify_ratings", "Can answer rectifications of bad ratings"),
            ("review_rating_appeals", "Can decide appeals against ratings (platform office)"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.status}"
