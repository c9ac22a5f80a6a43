"""The version of each resident's page: the portal keeps a resident's sections under it
(``portal.home_cache``), and every change that can alter their page replaces it
(``onewindow.core.home.home_changed``). One tiny row per account that has had a change,
read by primary key on every page view: the database is shared by every web and worker
process, so a change a worker makes is seen by the next page any process serves."""

from __future__ import annotations

from django.db import models

EVERYONE = 0  # the row whose version is part of every page's (changes that alter them all)


class HomePageVersion(models.Model):
    # the account (identity.User id), or EVERYONE; no foreign key: the row is a cache's
    # version, not the account's data, and must never hold up a change to the account
    user_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    objects: models.Manager[HomePageVersion] = models.Manager()

    class Meta:
        verbose_name = "home page version"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.version}"
