"""``onewindow service_import PATH...``: publish service packages (all or nothing)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.audit.services import Actor
from onewindow.catalog.services import PackageInvalid, service_packages_publish


class Command(BaseCommand):
    help = "Validate service packages and publish them as new versions in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="package folders, folders of packages, zips")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = service_packages_publish(
                actor=Actor.system("service_import"), paths=options["paths"]
            )
        except PackageInvalid as error:
            for problem in error.problems:
                self.stdout.write(str(problem))
            self.stderr.write(_("发现 %(n)d 个问题，未发布任何服务。") % {"n": len(error.problems)})
            sys.exit(1)
        for version in result.published:
            self.stdout.write(
                _("已发布 %(code)s 第 %(number)d 版")
                % {"code": version.service.code, "number": version.number}
            )
        for version in result.unchanged:
            self.stdout.write(
                _("未变化 %(code)s（仍为第 %(number)d 版）")
                % {"code": version.service.code, "number": version.number}
            )
        self.stderr.write(
            _("发布 %(published)d 个，未变化 %(unchanged)d 个。")
            % {"published": len(result.published), "unchanged": len(result.unchanged)}
        )
