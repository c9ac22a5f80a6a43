"""Whose citizen pages a licence's change alters (``onewindow.core.home``): its holder's
(a person, or the people acting for a company). Watched from ``LicencesConfig.ready()``."""

from __future__ import annotations

from typing import Any

from onewindow.core.home import HomeAudience, home_watch


def _licence(licence: Any) -> HomeAudience:
    return HomeAudience.of(
        person_ids=[licence.holder_person_id], company_ids=[licence.holder_company_id]
    )


def watch() -> None:
    home_watch("licences.Licence", _licence)
