"""Cases (办件): an application for one service version, its process state, the task table the
inboxes read, the materials and the timeline. A concluded case is rated in ratings (好差评).

The process engine's state is stored per case as instance state only; the compiled process
spec lives once on the pinned ``catalog.ServiceVersion``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.calendar import is_estimate


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        IN_PROGRESS = "in_progress", pgettext_lazy("case status", "办理中")
        SUPPLEMENT = "supplement", _("待补正")
        # Submitted; a person named on the form must first agree to the look-up of their
        # records (CaseParty). The process starts once every such person has agreed.
        CONSENT = "consent", _("等待相关人授权")
        APPROVED = "approved", _("已办结（准予）")
        REJECTED = "rejected", _("已办结（不予）")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Step(models.TextChoices):
        FORM = "form", _("填写申请表")
        MATERIALS = "materials", _("上传材料")
        REVIEW = "review", _("核对并提交")

    number = models.CharField(_("办件编号"), max_length=32, unique=True, null=True, blank=True)
    service_version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.PROTECT, related_name="cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    applicant_person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    applicant_company = models.ForeignKey(
        "identity.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    agent = models.ForeignKey(
        "identity.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_agent",
        help_text="The person who acts for the company applicant.",
    )
    form_data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.FORM)
    process_state = models.JSONField(null=True, blank=True)
    next_timer_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deadline = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    submit_token = models.CharField(max_length=64, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    # An engine step (gateways, service tasks, due timers) owed to this case: a state on the
    # case before it is a Celery message, so a lost or failed step is found and run again.
    step_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    step_claimed_at = models.DateTimeField(null=True, blank=True)
    step_attempts = models.PositiveSmallIntegerField(default=0)
    step_error = models.TextField(blank=True)
    # The case cannot continue (a step failed past its retries, or the process cannot go on):
    # flagged to the department's supervisor until retried or concluded with a reason.
    stuck_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("supervise_cases", "督办本部门及下级部门的办件")]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_case_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["created_by", "status", "-updated_at"]),
            models.Index(fields=["applicant_company", "status"]),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def is_concluded(self) -> bool:
        return self.status in CONCLUDED

    @property
    def is_open(self) -> bool:
        return self.status in {
            self.Status.SUBMITTED,
            self.Status.CONSENT,
            self.Status.IN_PROGRESS,
            self.Status.SUPPLEMENT,
        }

    @property
    def deadline_is_estimate(self) -> bool:
        """The promised date was counted Monday–Friday past the holiday data (the State
        Council's arrangement for that year not yet published): shown as 预计."""
        if self.deadline is None or self.submitted_at is None:
            return False
        return is_estimate(self.submitted_at.date(), self.deadline)


CONCLUDED = frozenset({Case.Status.APPROVED, Case.Status.REJECTED, Case.Status.WITHDRAWN})


class CaseNumberCounter(models.Model):
    """One row per region and day; the submit transaction bumps it with an upsert, so two
    submissions can never get the same number."""

    region_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="uniq_case_counter_day")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}/{self.day}: {self.last}"


class CaseTask(models.Model):
    """An open or finished user task of a case. The inbox reads this table, never the engine
    state."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "待认领")
        CLAIMED = "claimed", pgettext_lazy("task status", "办理中")
        WAITING = "waiting", _("等待申请人补正")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Decision(models.TextChoices):
        APPROVE = "approve", pgettext_lazy("task decision", "同意")
        REJECT = "reject", _("不同意")
        SUPPLEMENT = "supplement", pgettext_lazy("task decision", "退回补正")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    uid = models.CharField(max_length=64)
    element_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200)
    department = models.ForeignKey(
        "identity.Department", on_delete=models.PROTECT, related_name="case_tasks"
    )
    role_code = models.CharField(max_length=64)
    # A task held by a company (candidate group ``company:<question>``: the company whose
    # USCC the applicant gave, e.g. the graduate's employer): its legal representative or an
    # agent in force answers it from their own account; ``department`` is the one waiting.
    company = models.ForeignKey(
        "identity.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    candidate_groups = models.JSONField(default=list, blank=True)
    instance_index = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_case_tasks",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completed_case_tasks",
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    comment = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    overdue = models.BooleanField(default=False)
    escalated = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # What the holder recorded in the task's form (a department's finding, e.g. income_ok),
    # also set as process variables when the task was completed.
    findings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "uid"], name="uniq_case_task_uid"),
        ]
        indexes = [
            models.Index(fields=["department", "role_code", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.CLAIMED, self.Status.WAITING}


class CaseMaterial(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("上传")
        EXCHANGE = "exchange", _("部门共享")
        LICENCE = "licence", _("电子证照")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    file = models.CharField(max_length=255, blank=True, help_text="Storage name")
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    licence = models.ForeignKey(
        "licences.Licence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The wallet licence used instead of a file (source licence); ``sha256`` is "
        "then the digest of its credential as chosen.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["case", "code"])]

    def __str__(self) -> str:
        return f"{self.case} · {self.code}"


class CaseEvent(models.Model):
    """One entry of a case's timeline. ``public`` entries are shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150, blank=True)
    task = models.ForeignKey(CaseTask, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class CaseParty(models.Model):
    """A person other than the applicant named on the application (对方, 配偶, 子女,
    法定代表人 …), as the package declares them (``parties:`` in service.yaml).

    At submission their answers are checked against the real-name records (``record_check``).
    When the process looks up their records through the exchange (the party's
    ``lookups``), they are asked first (``consent``): from their own account, or by an SMS
    code sent to the phone on their real-name record. The person is linked (``person``) as
    soon as the platform knows them, so the case can later be theirs to see as well."""

    class Consent(models.TextChoices):
        NOT_NEEDED = "not_needed", _("无需授权")
        PENDING = "pending", _("待确认")
        GIVEN = "given", _("已同意")
        DECLINED = "declined", _("已拒绝")
        EXPIRED = "expired", _("已过期")
        CANCELLED = "cancelled", _("已取消")

    class Via(models.TextChoices):
        ACCOUNT = "account", _("本人登录确认")
        SMS = "sms", _("短信验证码确认")
        SAME_PERSON = "self", _("即申请人本人")

    class Check(models.TextChoices):
        MATCHED = "matched", _("与实名登记信息一致")
        NAME_MISMATCH = "name_mismatch", _("姓名与实名登记信息不一致")
        NOT_FOUND = "not_found", _("本平台无该身份证号码的实名登记信息")
        SAME_PERSON = "self", _("即申请人本人")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    code = models.CharField(max_length=32)
    label = models.CharField(max_length=64)
    name = models.CharField(max_length=64, blank=True, help_text="As the applicant wrote it.")
    id_number_bidx = models.CharField(max_length=64, db_index=True)
    person = models.ForeignKey(
        "identity.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_parties",
    )
    record_check = models.CharField(max_length=16, choices=Check.choices)
    lookups = models.JSONField(default=list, blank=True)
    consent = models.CharField(max_length=16, choices=Consent.choices, default=Consent.NOT_NEEDED)
    consent_via = models.CharField(max_length=16, choices=Via.choices, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_note = models.CharField(max_length=200, blank=True)
    # The SMS code of the current request (an HMAC of it, bound to this row).
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="uniq_case_party_code")
        ]
        indexes = [models.Index(fields=["consent", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.case} · {self.code}"

    @property
    def masked_name(self) -> str:
        from onewindow.core.masking import mask_name

        return mask_name(self.name)


class DecisionLetter(models.Model):
    """The written decision of a refusal (不予决定书): issued once, when the case ends
    rejected, and kept as issued. ``content`` holds what the letter says — the addressee,
    the reasons with the figures against the standards, the records used (resource,
    providing department, when looked up, call-log reference), the legal basis and the
    remedies (the reconsideration body and the court) — so the PDF is drawn from the letter,
    never from data that changed since (``cases.letters``)."""

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("不予行政许可决定书")
        APPROVAL = "approval", _("不予批准决定书")
        ACCEPTANCE = "acceptance", _("不予受理决定书")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="refusal_letter")
    number = models.CharField(_("文号"), max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    issuer = models.ForeignKey(
        "identity.Department", on_delete=models.PROTECT, related_name="decision_letters"
    )
    issued_at = models.DateTimeField()
    content = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.number


class LetterNumberCounter(models.Model):
    """One row per issuing department and year; issuing a letter bumps it with an upsert, so
    two letters never get the same number."""

    department_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department_code", "year"], name="uniq_letter_counter_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_code}/{self.year}: {self.last}"
