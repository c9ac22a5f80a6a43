from onewindow.audit.selectors import ChainVerifyCommand
from onewindow.exchange.calllog import CALLLOG_CHAIN


class Command(ChainVerifyCommand):
    help = (
        "Verify the exchange gateway's call log (a keyed hash chain); exit 1 naming the first "
        "broken row. With --against, the log must also still hold a signed checkpoint's head."
    )
    chain = CALLLOG_CHAIN
    label = "call log"
    batch_size = 2000
