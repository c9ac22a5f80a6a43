"""``onewindow service_new CODE --department gz-xxx --name 中文名``: write a package skeleton
that passes ``service_validate`` immediately."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onewindow.catalog.packages.vocabulary import default_catalog_dir
from onewindow.catalog.scaffold import scaffold_write


class Command(BaseCommand):
    help = "Create a new service package folder from a skeleton."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="service code (lower-case letters, digits, hyphens)")
        parser.add_argument("--department", required=True, help="owning department code")
        parser.add_argument("--name", required=True, help="Chinese name of the service")
        parser.add_argument("--name-en", default="", help="English name")
        parser.add_argument("--kind", choices=["personal", "enterprise"], default="personal")
        parser.add_argument("--dir", default=None, help="where to create it (default: catalog/)")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["dir"]) if options["dir"] else default_catalog_dir()
        try:
            target = scaffold_write(
                root=root,
                code=options["code"],
                department=options["department"],
                name=options["name"],
                name_en=options["name_en"],
                kind=options["kind"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("已创建 %(path)s") % {"path": target})
        self.stdout.write(
            _("下一步：编辑后运行 onewindow service_validate %(path)s") % {"path": target}
        )
