"""The escalation tests' service (``escalation-test``): 材料核查 with a non-interrupting
two-day timer; when a case is applied for and when its timer fires; and a department head
(部门负责人), who supervises escalated tasks."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Permission

from onewindow.identity.models import Department, Role, User
from onewindow.testing.cases import _NS
from onewindow.testing.factories import StaffFactory

CODE = "escalation-test"
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday, 17:00 in Guangzhou
FIRED = START + datetime.timedelta(days=2, minutes=1)  # the P2D timer is due at START + 2 days
FIRED_LOCAL = "2026-11-04 17:01"  # FIRED in Asia/Shanghai, as the pages show it

# 材料核查 with a non-interrupting two-day timer: the check stays with its holder, and the
# timer's path ends (a reminder, nothing else to do).
NON_INTERRUPTING_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="escalation_process" name="督办" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="材料核查" camunda:candidateGroups="rsj_approver">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="remind" name="核查超时" attachedToRef="check" cancelActivity="false">
      <bpmn:outgoing>f_remind</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P2D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="reminded"><bpmn:incoming>f_remind</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="approved"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="approved"/>
    <bpmn:sequenceFlow id="f_remind" sourceRef="remind" targetRef="reminded"/>
  </bpmn:process>
</bpmn:definitions>
"""


def supervisor(department_code: str, username: str) -> User:
    """A department head (部门负责人): a role granting cases.supervise_cases there."""
    role, _created = Role.objects.get_or_create(code="dept_head", defaults={"name": "部门负责人"})
    role.permissions.add(
        Permission.objects.get(content_type__app_label="cases", codename="supervise_cases")
    )
    staff: Any = StaffFactory(
        department=Department.objects.get(code=department_code),
        roles=[role],
        user__username=username,
    )
    return staff.user
