from onewindow.audit.selectors import ChainVerifyCommand
from onewindow.audit.services import AUDIT_CHAIN


class Command(ChainVerifyCommand):
    help = (
        "Verify the audit trail's keyed hash chain; exit 1 naming the first broken row. "
        "With --against, the chain must also still hold a signed checkpoint's head."
    )
    chain = AUDIT_CHAIN
    label = "audit"
