"""The service the engine-step tests apply for (``steps-test``): its process, whose service
task 资格核验 runs the action ``steps.check``, and a scripted stand-in for that action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onewindow.testing.cases import _NS
from onewindow.workflow import ActionContext

CODE = "steps-test"
ACTION = "steps.check"

# Two branches: 核验 (a service task) then 签发 at the education bureau, and 审核 at the
# police bureau, open from the start. The service itself belongs to gz-rsj.
STEP_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS}>
  <bpmn:process id="step_process" name="核验后签发" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>to_check</bpmn:outgoing><bpmn:outgoing>to_review</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:serviceTask id="check" name="资格核验" camunda:type="external" camunda:topic="{ACTION}">
      <bpmn:incoming>to_check</bpmn:incoming><bpmn:outgoing>to_sign</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="sign" name="签发" camunda:candidateGroups="gz-jyj:approver">
      <bpmn:incoming>to_sign</bpmn:incoming><bpmn:outgoing>sign_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="gz-gaj:approver">
      <bpmn:incoming>to_review</bpmn:incoming><bpmn:outgoing>review_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="join">
      <bpmn:incoming>sign_done</bpmn:incoming><bpmn:incoming>review_done</bpmn:incoming>
      <bpmn:outgoing>f_end</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:endEvent id="approved"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <bpmn:sequenceFlow id="to_check" sourceRef="fork" targetRef="check"/>
    <bpmn:sequenceFlow id="to_sign" sourceRef="check" targetRef="sign"/>
    <bpmn:sequenceFlow id="sign_done" sourceRef="sign" targetRef="join"/>
    <bpmn:sequenceFlow id="to_review" sourceRef="fork" targetRef="review"/>
    <bpmn:sequenceFlow id="review_done" sourceRef="review" targetRef="join"/>
    <bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="approved"/>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass
class Script:
    """What the test action does: fail ``failures`` times, then succeed."""

    failures: int = 0
    calls: list[ActionContext] = field(default_factory=list)

    def __call__(self, ctx: ActionContext) -> dict[str, Any]:
        self.calls.append(ctx)
        if len(self.calls) <= self.failures:
            raise ConnectionError("资格库暂时无法连接")
        return {"checked": True}
