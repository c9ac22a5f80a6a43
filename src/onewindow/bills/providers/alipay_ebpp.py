"""Alipay's electronic bills for water, electricity and gas (生活缴费, EBPP):
``alipay.ebpp.jfexport.instbill.query`` asks the charging institution (``charge_inst``) for
an account's (``bill_key``) outstanding bills of a month (``bill_date`` YYYYMM); without a
month it answers the holder's (masked) name, which is how an account is checked. Signed RSA2
like every Alipay call (core.crypto.rsa2); the answer's signature is checked before anything
in it is read.

The answer lists bills still to be paid (``inst_bills``: ``inst_bill_no``, ``amount``,
``bill_date``, ``bill_key``, ``owner_name``, ``bill_fines``, ``extend_field`` — a JSON string
which some institutions fill with ``due_date``, ``usage`` and ``usage_unit``)."""

from __future__ import annotations

import dataclasses
import datetime
import json
import urllib.parse
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from onewindow.bills.providers.base import (
    AccountCheck,
    BillBatch,
    ProviderError,
    ProviderMalformed,
    batch_from,
    period_of,
)
from onewindow.bills.providers.http import exchange
from onewindow.core.crypto.rsa2 import (
    AnswerNotSigned,
    UnreadableAnswer,
    load_private_key,
    load_public_key,
    signed_node,
    signed_request,
)

GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
METHOD = "alipay.ebpp.jfexport.instbill.query"
NODE = "alipay_ebpp_jfexport_instbill_query_response"
SUB_BIZ_TYPE = {"water": "WATER", "electricity": "ELECTRIC", "gas": "GAS"}
UNITS = {"water": "m³", "electricity": "kWh", "gas": "m³"}


class AlipayEbppProvider:
    def __init__(
        self,
        *,
        code: str,
        kind: str,
        app_id: str,
        charge_inst: str,
        private_key: rsa.RSAPrivateKey,
        alipay_public_key: rsa.RSAPublicKey,
        gateway_url: str = GATEWAY_URL,
        timeout: float = 5.0,
    ) -> None:
        if kind not in SUB_BIZ_TYPE:
            raise ValueError(f"Alipay electronic bills do not cover {kind}")
        self.code = code
        self.kind = kind
        self.app_id = app_id
        self.charge_inst = charge_inst
        self.private_key = private_key
        self.alipay_public_key = alipay_public_key
        self.gateway_url = gateway_url
        self.timeout = timeout

    @classmethod
    def from_options(cls, *, code: str, kind: str, options: dict[str, Any]) -> AlipayEbppProvider:
        return cls(
            code=code,
            kind=kind,
            app_id=str(options["app_id"]),
            charge_inst=str(options["charge_inst"]),
            private_key=load_private_key(str(options["private_key"])),
            alipay_public_key=load_public_key(str(options["alipay_public_key"])),
            gateway_url=str(options.get("gateway_url", GATEWAY_URL)),
            timeout=float(options.get("timeout", 5.0)),
        )

    def _query(self, account_number: str, period: str | None) -> dict[str, Any]:
        biz: dict[str, str] = {
            "biz_type": "JF",
            "sub_biz_type": SUB_BIZ_TYPE[self.kind],
            "charge_inst": self.charge_inst,
            "bill_key": account_number,
        }
        if period:
            biz["bill_date"] = period.replace("-", "")
        params = signed_request(
            app_id=self.app_id,
            method=METHOD,
            biz=biz,
            timestamp=timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            private_key=self.private_key,
        )
        answer = exchange(
            method="POST",
            url=self.gateway_url,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            body=urllib.parse.urlencode(params).encode(),
            timeout=self.timeout,
        )
        text = answer.body.decode("utf-8", "replace")
        if answer.status >= 400:
            raise ProviderError(f"HTTP {answer.status}")
        try:
            return signed_node(text, NODE, self.alipay_public_key)
        except UnreadableAnswer as exc:
            raise ProviderMalformed("应答不是支付宝的JSON应答", text[:2000]) from exc
        except AnswerNotSigned as exc:
            raise ProviderMalformed("应答签名无效", text[:2000]) from exc

    def verify_account(self, *, account_number: str) -> AccountCheck:
        node = self._query(account_number, None)
        code = str(node.get("code", ""))
        sub_code = str(node.get("sub_code", "")).upper()
        if code == "40004" and ("NOT_EXIST" in sub_code or "NOT_FOUND" in sub_code):
            return AccountCheck(found=False)
        if code != "10000":
            raise ProviderError(f"{code} {node.get('sub_code', '')} {node.get('sub_msg', '')}")
        if node.get("bill_key", account_number) != account_number:
            raise ProviderMalformed("应答户号与查询户号不一致", json.dumps(node)[:2000])
        holder = node.get("owner_name")
        if not isinstance(holder, str):
            raise ProviderMalformed("应答缺少户主姓名", json.dumps(node)[:2000])
        return AccountCheck(found=True, holder_name=holder[:64])

    def fetch(self, *, account_number: str, period: str) -> BillBatch:
        node = self._query(account_number, period)
        code = str(node.get("code", ""))
        sub_code = str(node.get("sub_code", "")).upper()
        if code == "40004" and "NOT_EXIST" in sub_code and "BILL" in sub_code:
            return BillBatch(outstanding_of=period)  # nothing outstanding for that month
        if code != "10000":
            raise ProviderError(f"{code} {node.get('sub_code', '')} {node.get('sub_msg', '')}")
        if node.get("bill_key", account_number) != account_number:
            raise ProviderMalformed(
                "应答户号与查询户号不一致", json.dumps(node, ensure_ascii=False)[:2000]
            )
        inst_bills = node.get("inst_bills") or []
        if not isinstance(inst_bills, list):
            raise ProviderMalformed(
                "账单列表格式不正确", json.dumps(node, ensure_ascii=False)[:2000]
            )
        raw = [self._as_bill(item) for item in inst_bills]
        today: datetime.date = timezone.localdate()
        batch = batch_from(
            bills=raw,
            contributions=[],
            kind=self.kind,
            account_number=account_number,
            today=today,
            period=period,
        )
        if batch.rejected:
            return batch  # an item we could not read may be one still to pay
        return dataclasses.replace(batch, outstanding_of=period)

    def _as_bill(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item  # rejected as it is
        extend: Any = {}
        if isinstance(item.get("extend_field"), str) and item["extend_field"]:
            try:
                extend = json.loads(item["extend_field"])
            except ValueError:
                extend = {}
        if not isinstance(extend, dict):
            extend = {}
        bill_date = item.get("bill_date")
        return {
            "id": item.get("inst_bill_no"),
            "account_number": item.get("bill_key"),
            "period": period_of(bill_date) if isinstance(bill_date, str) else bill_date,
            "amount": item.get("amount"),
            "currency": extend.get("currency", "CNY"),
            "due_on": extend.get("due_date"),
            "paid": False,
            "usage": extend.get("usage"),
            "usage_unit": extend.get("usage_unit") or UNITS[self.kind],
        }
