"""The demo courier's route plan (stdlib only: the courier sandbox runs without Django).

A shipment moves one step every ``step`` seconds: 已揽收 → 运输中 → 派送中 → 已签收. A share
of shipments (chosen by a hash of the waybill number, so every process agrees) fails delivery
``MAX_ATTEMPTS`` times and is returned to the sender. Each node carries the SF route opCode
the sandbox pushes for it."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

MAX_ATTEMPTS = 2

# SF Express route opCodes for the nodes the plan produces (see providers/sf.py for the map
# the adapter reads).
OP_COLLECTED, OP_TRANSIT, OP_OUT, OP_SIGNED, OP_FAILED, OP_RETURNED = (
    "50",
    "30",
    "44",
    "80",
    "70",
    "99",
)


@dataclass(frozen=True)
class Node:
    at: datetime.datetime
    status: str
    description: str
    location: str
    op_code: str


def fails(tracking_no: str, share: float) -> bool:
    bucket = int(hashlib.sha256(tracking_no.encode()).hexdigest(), 16) % 1000
    return bucket < share * 1000


def tracking_number(key: str, prefix: str = "SF") -> str:
    return prefix + str(int(hashlib.sha256(key.encode()).hexdigest(), 16))[:12]


def plan(
    *,
    tracking_no: str,
    created_at: datetime.datetime,
    step_seconds: int,
    failure_share: float,
    kind: str = "deliver",
) -> list[Node]:
    step = datetime.timedelta(seconds=max(1, step_seconds))
    pickup = kind == "pickup"
    first = [
        (
            "collected",
            "快递员已上门取件" if pickup else "快递员已揽收",
            "取件地址" if pickup else "广州市政务服务中心",
            OP_COLLECTED,
        ),
        ("in_transit", "快件运输中", "广州转运中心", OP_TRANSIT),
        (
            "out_for_delivery",
            "快件派送中",
            "部门收件窗口所在营业部" if pickup else "收件地址所在营业部",
            OP_OUT,
        ),
    ]
    nodes = [
        Node(created_at + step * (i + 1), status, text, where, op)
        for i, (status, text, where, op) in enumerate(first)
    ]
    at = created_at + step * (len(first) + 1)
    if fails(tracking_no, failure_share):
        for attempt in range(MAX_ATTEMPTS):
            nodes.append(
                Node(at, "failed", f"派送失败（第{attempt + 1}次）：收件人无法联系", "", OP_FAILED)
            )
            at += step
            if attempt + 1 < MAX_ATTEMPTS:
                nodes.append(Node(at, "out_for_delivery", "再次派送中", "", OP_OUT))
                at += step
        nodes.append(Node(at, "returned", "多次派送失败，快件已退回寄件方", "", OP_RETURNED))
    else:
        text = "部门收件窗口已签收" if pickup else "已签收，感谢使用"
        nodes.append(Node(at, "delivered", text, "", OP_SIGNED))
    return nodes
