"""Where a package's files come from: a folder on disk or a zip archive (one package at the
root of the zip, or one package per top-level folder). Nothing is extracted to disk."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from onewindow.catalog.packages.problem import Problem

SERVICE_FILE = "service.yaml"
FORM_FILE = "form.schema.json"
PROCESS_FILE = "process.bpmn"
DECISION_SUFFIX = ".decision.yaml"  # decision tables: <name>.decision.yaml
TASK_FORM_SUFFIX = ".task.json"  # task forms: <user task id>.task.json
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
SKIPPED_FILES = frozenset({"vocabulary.yaml", "README.md"})


@dataclass
class PackageSource:
    """The files of one package. ``label`` prefixes every reported file name."""

    label: str
    folder_name: str
    files: dict[str, bytes] = field(default_factory=dict)

    def path(self, name: str) -> str:
        return f"{self.label}/{name}" if self.label else name

    def bpmn_files(self) -> dict[str, bytes]:
        return {name: data for name, data in self.files.items() if name.endswith(".bpmn")}


def _is_package_file(name: str) -> bool:
    return name in {SERVICE_FILE, FORM_FILE} or name.endswith(
        (".bpmn", ".md", DECISION_SUFFIX, TASK_FORM_SUFFIX)
    )


def source_from_folder(folder: Path) -> tuple[PackageSource, list[Problem]]:
    label = str(folder).rstrip("/")
    source = PackageSource(label=label, folder_name=folder.resolve().name)
    problems: list[Problem] = []
    for entry in sorted(folder.iterdir()):
        if not entry.is_file() or not _is_package_file(entry.name):
            continue
        if entry.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(source.path(entry.name), None, _("文件过大（上限 2 MB）。")))
            continue
        source.files[entry.name] = entry.read_bytes()
    return source, problems


def sources_from_zip(data: bytes, *, label: str) -> tuple[list[PackageSource], list[Problem]]:
    """Read every package in a zip. A zip holds either one package at its root or one
    package per top-level folder."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [], [Problem(label, None, _("不是有效的 zip 压缩包。"))]
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_ZIP_ENTRIES:
        return [], [Problem(label, None, _("压缩包内文件过多。"))]
    total = 0
    groups: dict[str, dict[str, bytes]] = {}
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if not parts or parts[0] == "__MACOSX" or any(p in {"..", ""} for p in parts):
            continue
        if parts[-1].startswith("."):
            continue
        if len(parts) == 1:
            folder, name = "", parts[0]
        elif len(parts) == 2:
            folder, name = parts[0], parts[1]
        else:
            continue  # deeper files are not part of any package
        if not _is_package_file(name):
            continue
        if info.file_size > MAX_FILE_BYTES:
            problems.append(Problem(f"{label}:{info.filename}", None, _("文件过大（上限 2 MB）。")))
            continue
        total += info.file_size
        if total > MAX_ZIP_BYTES:
            return [], [Problem(label, None, _("压缩包解压后过大（上限 20 MB）。"))]
        groups.setdefault(folder, {})[name] = archive.read(info)
    sources: list[PackageSource] = []
    if "" in groups and SERVICE_FILE in groups[""]:
        sources.append(PackageSource(label=label, folder_name="", files=groups[""]))
    for folder in sorted(name for name in groups if name):
        sources.append(
            PackageSource(label=f"{label}:{folder}", folder_name=folder, files=groups[folder])
        )
    if not sources:
        problems.append(Problem(label, None, _("压缩包中没有找到 service.yaml。")))
    return sources, problems


def sources_from_paths(paths: list[str | Path]) -> tuple[list[PackageSource], list[Problem]]:
    """Resolve command-line paths: a package folder, a folder of package folders, a
    service.yaml file, or a zip. ``catalog/vocabulary.yaml`` and ``catalog/README.md`` are
    skipped quietly so that ``catalog/*`` works."""
    sources: list[PackageSource] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if (path / SERVICE_FILE).is_file():
                source, found = source_from_folder(path)
                sources.append(source)
                problems.extend(found)
                continue
            children = [c for c in sorted(path.iterdir()) if (c / SERVICE_FILE).is_file()]
            if not children:
                problems.append(Problem(str(path), None, _("该目录中没有 service.yaml。")))
            for child in children:
                source, found = source_from_folder(child)
                sources.append(source)
                problems.extend(found)
        elif path.is_file() and path.name == SERVICE_FILE:
            source, found = source_from_folder(path.parent)
            sources.append(source)
            problems.extend(found)
        elif path.is_file() and path.suffix.lower() == ".zip":
            found_sources, found = sources_from_zip(path.read_bytes(), label=str(path))
            sources.extend(found_sources)
            problems.extend(found)
        elif path.is_file() and (path.name in SKIPPED_FILES or path.suffix == ".md"):
            continue
        elif not path.exists():
            problems.append(Problem(str(path), None, _("路径不存在。")))
        else:
            problems.append(
                Problem(str(path), None, _("不是服务包（目录、service.yaml 或 zip）。"))
            )
    return sources, problems
