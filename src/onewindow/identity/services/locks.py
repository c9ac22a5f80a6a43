"""Row locks other apps take on a person or company inside their own transaction, so that
two use cases about the same applicant run one after the other."""

from __future__ import annotations

from onewindow.identity.models import Company, Person


def person_lock(*, person_id: int) -> None:
    """Lock the person's row until the caller's transaction ends (nothing if it is gone)."""
    Person.objects.select_for_update().filter(pk=person_id).first()


def company_lock(*, company_id: int) -> None:
    """Lock the company's row until the caller's transaction ends (nothing if it is gone)."""
    Company.objects.select_for_update().filter(pk=company_id).first()
