from onewindow.audit.services import ChainCheckpointCommand
from onewindow.exchange.calllog import CALLLOG_CHAIN


class Command(ChainCheckpointCommand):
    help = (
        "Write a signed checkpoint of the exchange call log's head (position, hash, time) after "
        "verifying the log. Keep checkpoints where the database's writers cannot reach them."
    )
    chain = CALLLOG_CHAIN
    label = "call log"
    noun = "log"
