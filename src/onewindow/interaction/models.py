"""Requests (诉求) to the 12345-style hotline and everything the closed loop keeps about them.

A request is registered (受理) from any channel, dispatched (派单) to one lead department and
perhaps co-handling ones (``Assignment``), signed for (签收), answered (答复), visited back
(回访) and concluded (办结). Every move is a ``Move`` row; the request row holds the current
state and the deadlines computed from ``TimeLimit`` with the working-day calendar. Repeat
requests are merged (``merged_into``): the merged request keeps its own requester, who is told
of the order's progress. Which department answers what is data (``DispatchRule``, the
dispatch catalogue 派单目录), as are the time limits and the category tree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField


class Category(models.Model):
    """A node of the request category tree (诉求分类), operator-edited; the default tree is
    ``catalog/interaction/categories.yaml``."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("分类名称"), max_length=100)
    name_en = models.CharField(max_length=150, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # the department that answers a leaf by default (the dispatch catalogue may say otherwise)
    department_code = models.CharField(max_length=64, blank=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    HELP = "help", _("求助")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


# The dispatcher's order of the orders waiting for dispatch: urgent ones first (then the
# oldest, then by id); the ``interaction_queue_urgent`` index holds the waiting ones in it.
URGENT_FIRST = Case(
    When(urgency="urgent", then=Value(0)), default=Value(1), output_field=IntegerField()
)


class Request(models.Model):
    """One request (诉求) and the order (工单) it became."""

    class Channel(models.TextChoices):
        WEB = "web", _("网站")
        API = "api", _("接口")
        PHONE = "phone", _("电话")
        GRID = "grid", _("网格")
        OPEN311 = "open311", _("Open311")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        SIGNED = "signed", _("办理中")
        ANSWERED = "answered", _("已答复")
        CONCLUDED = "concluded", _("已办结")
        MERGED = "merged", _("已并单")
        # answered directly (a consultation from the knowledge base) or withdrawn by the resident
        CLOSED = "closed", _("已结束")

    class Satisfaction(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("非常满意")
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")
        VERY_DISSATISFIED = "very_dissatisfied", _("非常不满意")

    number = models.CharField(_("工单编号"), max_length=32, unique=True)
    # the submitting form's or API caller's key: the same submission twice files one request
    client_key = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("诉求内容"))
    # where: GB/T 2260 district, then street (9 digits) and community (12 digits) codes
    region_code = models.CharField(_("所在区"), max_length=6, db_index=True)
    street_code = models.CharField(max_length=9, blank=True)
    community_code = models.CharField(max_length=12, blank=True)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # who: a real-name resident (person) or an anonymous caller; the phone is kept encrypted
    # with a blind index so the operator can find a caller's earlier requests
    person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = EncryptedTextField(blank=True)
    contact_phone = EncryptedTextField(blank=True)
    phone_bidx = models.CharField(max_length=64, blank=True, db_index=True)
    anonymous = models.BooleanField(default=False)
    confidential = models.BooleanField(_("对承办部门保密"), default=False)
    case_number = models.CharField(_("涉及办件编号"), max_length=32, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # the current lead department (the lead assignment's), for the inbox and statistics
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(db_index=True)
    dispatch_due_at = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateField(null=True, blank=True)  # the working-day deadline
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    visit_due = models.DateField(null=True, blank=True)
    solved = models.BooleanField(null=True, blank=True)
    satisfaction = models.CharField(
        max_length=20, choices=Satisfaction.choices, blank=True, default=""
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    chased_at = models.DateTimeField(null=True, blank=True)
    supervised = models.BooleanField(_("督办"), default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # selected answers are published (masked) and join the knowledge base
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "registered_at"], name="interaction_queue"),
            # the dispatcher's queue, urgent first then oldest: only the orders waiting
            models.Index(
                URGENT_FIRST,
                models.F("registered_at"),
                models.F("id"),
                condition=Q(status="registered"),
                name="interaction_queue_urgent",
            ),
            models.Index(fields=["department", "status", "answer_due"], name="interaction_inbox"),
            models.Index(fields=["person", "registered_at"], name="interaction_mine"),
            models.Index(fields=["category", "region_code", "status"], name="interaction_nearby"),
            # the chase sweep: open orders past their answer deadline
            models.Index(fields=["status", "answer_due"], name="interaction_due"),
        ]
        permissions = [
            ("dispatch_requests", "派单、审核派单异议和延期、回访、并单、办结（热线办）"),
            ("handle_requests", "签收、办理、答复本部门的工单"),
            ("supervise_requests", "督办工单"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client_key"],
                condition=~models.Q(client_key=""),
                name="interaction_request_client_key_once",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Attachment(models.Model):
    """A photo or document sent with a request, checked by its content like case materials."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=255)  # storage name
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A department's part in an order: the lead (主办) or a co-handler (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class Status(models.TextChoices):
        PENDING = "pending", _("待签收")
        SIGNED = "signed", _("办理中")
        ANSWERED = "answered", _("已答复")
        RETURNED = "returned", _("已退单")
        OBJECTED = "objected", _("派单异议")
        TRANSFERRED = "transferred", _("已转办")
        WITHDRAWN = "withdrawn", _("已撤回")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "identity.Department", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    sign_due_at = models.DateTimeField()
    answer_due = models.DateField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    reason = models.TextField(blank=True)  # why returned, objected or transferred
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["department", "status"], name="interaction_assign_dept"),
            # a department's inbox of one part status, soonest deadline first (then by id)
            models.Index(
                fields=["department", "status", "answer_due", "id"],
                name="interaction_assign_due_id",
            ),
            # the inbox as it opens: the parts to sign for and in hand, soonest deadline first
            models.Index(
                fields=["department", "answer_due", "id"],
                condition=Q(status__in=["pending", "signed"]),
                name="interaction_assign_active",
            ),
            # the objections waiting for the hotline office's decision
            models.Index(
                fields=["request"],
                condition=Q(status="objected"),
                name="interaction_assign_objected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.department_id}:{self.role}"


class Move(models.Model):
    """One step of an order's history (流转记录), shown on its timeline; ``public`` steps are
    the ones the resident sees."""

    class Action(models.TextChoices):
        REGISTER = "register", _("受理")
        DIRECT_ANSWER = "direct_answer", _("直接答复")
        DISPATCH = "dispatch", _("派单")
        SIGN = "sign", _("签收")
        RETURN = "return", _("退单")
        OBJECT = "object", _("派单异议")
        OBJECTION_DECIDE = "objection_decide", _("异议审核")
        TRANSFER = "transfer", _("转办")
        CO_HANDLE = "co_handle", _("协办")
        EXTEND_ASK = "extend_ask", _("申请延期")
        EXTEND_DECIDE = "extend_decide", _("延期审核")
        ANSWER = "answer", _("答复")
        VISIT = "visit", _("回访")
        CONCLUDE = "conclude", _("办结")
        REOPEN = "reopen", _("重新办理")
        MERGE = "merge", _("并单")
        CHASE = "chase", _("催办")
        SUPERVISE = "supervise", _("督办")
        ESCALATE = "escalate", _("超时升级")
        WITHDRAW = "withdraw", _("撤回")
        PUBLISH = "publish", _("公开答复")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="moves")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="interaction_move_at")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class Extension(models.Model):
    """A department's request for more time (延期), asked before the deadline and decided by
    the hotline office."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("不同意")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    working_days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        indexes = [
            # the requests for more time waiting for the hotline office's decision
            models.Index(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="interaction_extension_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} +{self.working_days}"


class DispatchRule(models.Model):
    """The dispatch catalogue (派单目录): which department answers a category in an area,
    from the department's duties (三定/权责清单). The most specific rule wins (community over
    street over district over everywhere)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="dispatch_rules")
    region_code = models.CharField(max_length=6, blank=True)  # blank: the whole city
    street_code = models.CharField(max_length=9, blank=True)
    department = models.ForeignKey(
        "identity.Department", on_delete=models.PROTECT, related_name="+"
    )
    co_department_ids = models.JSONField(default=list, blank=True)
    # a functional department's duty may never be pushed down to a community
    functional = models.BooleanField(default=True)
    basis = models.CharField(_("职责依据"), max_length=200, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["category", "region_code"], name="interaction_rule_area")]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.region_code or '*'} → {self.department_id}"


class TimeLimit(models.Model):
    """How long each step may take, by kind and urgency (held as data, edited by the hotline
    office): signing within hours, answering within working days (0 = the same day)."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    urgency = models.CharField(max_length=8, choices=Urgency.choices)
    sign_hours = models.PositiveSmallIntegerField()
    answer_working_days = models.PositiveSmallIntegerField()
    # the same-day consultation that cannot be answered that day gets this many instead
    fallback_working_days = models.PositiveSmallIntegerField(default=0)
    chase_after_days = models.PositiveSmallIntegerField(default=1)
    max_returns = models.PositiveSmallIntegerField(default=2)
    max_extension_days = models.PositiveSmallIntegerField(default=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "urgency"], name="interaction_limit_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.urgency}"


class KnowledgeArticle(models.Model):
    """An answer in the knowledge base (知识库), kept by a department, searched by operators and
    offered to residents before they file."""

    title = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答复"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keywords = models.CharField(max_length=200, blank=True)
    source_request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(default=True)
    valid_until = models.DateField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class NumberSequence(models.Model):
    """The day's last order number (工单编号 YYYYMMDD + six digits), taken under a row lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Open311Key(models.Model):
    """A key for the Open311 GeoReport v2 interface: only its prefix and hash are kept; the
    key itself is shown once when issued."""

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
