"""Reading and verifying the audit trail."""

from __future__ import annotations

from onewindow.audit.chain import ChainBreak, Checkpoint
from onewindow.audit.commands import ChainVerifyCommand as ChainVerifyCommand
from onewindow.audit.services import AUDIT_CHAIN

ChainProblem = ChainBreak


def audit_chain_verify(
    *, checkpoint: Checkpoint | None = None, batch_size: int = 5000
) -> ChainProblem | None:
    """Walk the chain in order; return the first problem found, or None if it is intact.

    With ``checkpoint`` (see ``audit.chain``) the chain must also still hold the checkpoint's
    row with its hash: the only way to find rows cut off the end with the head rewound."""
    return AUDIT_CHAIN.verify(checkpoint=checkpoint, batch_size=batch_size)
