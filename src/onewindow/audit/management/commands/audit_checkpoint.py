from onewindow.audit.services import AUDIT_CHAIN, ChainCheckpointCommand


class Command(ChainCheckpointCommand):
    help = (
        "Write a signed checkpoint of the audit chain's head (position, hash, time) after "
        "verifying the chain. Keep checkpoints where the database's writers cannot reach them."
    )
    chain = AUDIT_CHAIN
    label = "audit"
