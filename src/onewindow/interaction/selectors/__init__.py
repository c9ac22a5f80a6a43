"""The interaction app's reads (its front door for other apps)."""

from onewindow.interaction.selectors.queues import (
    DepartmentRequest,
    InboxRow,
    QueueRow,
    department_inbox,
    department_request_get,
    dispatcher_queue,
)

__all__ = [
    "DepartmentRequest",
    "InboxRow",
    "QueueRow",
    "department_inbox",
    "department_request_get",
    "dispatcher_queue",
]
