"""Packaging that ``pyproject.toml`` cannot express; everything else is configured there.

The data files live in the top-level ``resources/`` folder and ship as the importable package
``reviewer_resources`` (found at run time through ``importlib.resources`` by ``reviewer/resources.py``).
Renaming a folder into a package needs ``package_dir`` next to an explicit package list, and
pyproject's ``[tool.setuptools.packages.find]`` can only name packages after their folders, so the
package list is computed here: the same discovery pyproject did (namespace packages included, so the
migration scripts ship), plus the data package and its folders. Its files are listed under
``package-data`` in pyproject.
"""

from setuptools import find_namespace_packages, setup

DATA_PACKAGE, DATA_DIR = "reviewer_resources", "resources"

setup(
    packages=[
        *find_namespace_packages(include=["reviewer*", "ui*"]),
        DATA_PACKAGE,
        *(f"{DATA_PACKAGE}.{sub}" for sub in find_namespace_packages(DATA_DIR)),
    ],
    package_dir={DATA_PACKAGE: DATA_DIR},
)
