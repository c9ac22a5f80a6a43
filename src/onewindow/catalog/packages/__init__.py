"""Service packages: reading (folder or zip), checking and compiling."""

from onewindow.catalog.packages.context import (
    CityStructure,
    ValidationContext,
    register_demo_city,
)
from onewindow.catalog.packages.problem import Problem
from onewindow.catalog.packages.source import PackageSource, sources_from_paths, sources_from_zip
from onewindow.catalog.packages.validator import LoadedPackage, package_checksum, package_load
from onewindow.catalog.packages.vocabulary import Vocabulary, vocabulary_load

__all__ = [
    "CityStructure",
    "LoadedPackage",
    "PackageSource",
    "Problem",
    "ValidationContext",
    "Vocabulary",
    "package_checksum",
    "package_load",
    "register_demo_city",
    "sources_from_paths",
    "sources_from_zip",
    "vocabulary_load",
]
