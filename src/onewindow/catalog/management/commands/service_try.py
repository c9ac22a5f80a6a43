"""``onewindow service_try PATH``: run a package's process through its paths before it is
published, without the database — decision tables for real, other actions faked, a fake
clock that jumps past timers. Exit status 1 when a path gets stuck, 2 when the package
cannot be tried at all. See docs/service-packages.md, "Trying a package locally"."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.trial import (
    TrialError,
    trial_duration,
    trial_explore,
    trial_package_load,
    trial_path_parse,
)
from onewindow.catalog.trialreport import trial_as_json, trial_as_text


def _json_file(name: str | None, what: str) -> Any:
    if not name:
        return None
    try:
        return json.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(
            _("无法读取%(what)s %(file)s：%(error)s")
            % {"what": what, "file": name, "error": error},
            returncode=2,
        ) from error


def _start(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("开始时间 %(text)s 无效，应写成 2025-03-03T09:00 这样的时间。") % {"text": text},
            returncode=2,
        ) from error
    return value if value.tzinfo else timezone.make_aware(value)


class Command(BaseCommand):
    help = (
        "Run a service package's process through every approve/reject path without a "
        "database (fake actions, fake clock) and print where each path ends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a package folder (or zip)")
        parser.add_argument("--answers", help="form answers (JSON file); default: sample answers")
        parser.add_argument(
            "--records",
            help="exchange records (JSON file): resource code → the applicant's record or null",
        )
        parser.add_argument(
            "--wait", help="time each user task waits before it is completed, e.g. P10D"
        )
        parser.add_argument("--start", help="when the case is submitted (default 2025-03-03T09:00)")
        parser.add_argument("--max-paths", type=int, default=50)
        parser.add_argument("--max-steps", type=int, default=200)
        parser.add_argument(
            "--path", dest="one_path", help="run one path: approve,reject:field=value,…"
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        answers = _json_file(options.get("answers"), _("申请表答案"))
        records = _json_file(options.get("records"), _("共享数据记录"))
        if answers is not None and not isinstance(answers, dict):
            raise CommandError(_("申请表答案应为 JSON 对象（问题 → 答案）。"), returncode=2)
        if records is not None and not isinstance(records, dict):
            raise CommandError(_("共享数据记录应为 JSON 对象（资源编码 → 记录）。"), returncode=2)
        try:
            wait = trial_duration(options["wait"]) if options.get("wait") else None
            path = trial_path_parse(options["one_path"]) if options.get("one_path") else None
            package = trial_package_load(path=options["path"])
        except TrialError as error:
            for problem in error.problems:
                self.stdout.write(problem)
            raise CommandError(str(error), returncode=2) from error
        report = trial_explore(
            package=package,
            answers=answers,
            records=records,
            wait=wait,
            start=_start(options.get("start")),
            max_paths=max(1, options["max_paths"]),
            max_steps=max(1, options["max_steps"]),
            path=path,
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(trial_as_json(report), ensure_ascii=False, indent=2, default=str)
            )
        else:
            self.stdout.write(trial_as_text(report), ending="")
        if report.stuck:
            sys.exit(1)
