"""``onewindow service_validate PATH...``: check service packages, one line per problem
(``file:line: message``), then one line per warning (``警告 file:line: message``); exit
status 1 when there is any problem (warnings alone do not stop publishing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from onewindow.catalog.packages import (
    ValidationContext,
    package_load,
    sources_from_paths,
    vocabulary_load,
)
from onewindow.catalog.packages.problem import Problem


def context_for(options: dict[str, Any]) -> ValidationContext:
    vocabulary = vocabulary_load(Path(options["vocabulary"])) if options.get("vocabulary") else None
    if options.get("demo_city"):
        return ValidationContext.from_demo_city(vocabulary=vocabulary)
    return ValidationContext.best_available(vocabulary=vocabulary)


class Command(BaseCommand):
    help = "Check service packages (folders, service.yaml files or zips) and print problems."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="package folders, folders of packages, zips")
        parser.add_argument(
            "--vocabulary", help="vocabulary.yaml (default: catalog/vocabulary.yaml)"
        )
        parser.add_argument(
            "--demo-city",
            action="store_true",
            help="check departments and roles against the demo city instead of the database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        context = context_for(options)
        sources, problems = sources_from_paths(options["paths"])
        engine_missing = False
        warnings: list[Problem] = []
        for source in sources:
            package = package_load(source, context)
            problems.extend(package.problems)
            warnings.extend(package.warnings)
            engine_missing = engine_missing or package.engine_missing
        for problem in problems:
            self.stdout.write(str(problem))
        for warning in warnings:
            self.stdout.write(_("警告 %(warning)s") % {"warning": warning})
        if context.source == "demo-city" and not options.get("demo_city"):
            self.stderr.write(_("数据库中还没有部门，按演示城市的部门和角色检查。"))
        if engine_missing:
            self.stderr.write(_("流程引擎尚不可用，已跳过 BPMN 编译检查。"))
        summary = _("检查了 %(packages)d 个服务包，发现 %(problems)d 个问题。") % {
            "packages": len(sources),
            "problems": len(problems),
        }
        self.stderr.write(summary)
        if warnings:
            self.stderr.write(_("另有 %(warnings)d 个警告。") % {"warnings": len(warnings)})
        if problems:
            sys.exit(1)
