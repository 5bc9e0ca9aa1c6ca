#!/usr/bin/env python3
"""Dependency-chain checks for the tt monorepo.

The tiers are ordered in ONE place, ``[tool.tt].tiers`` in the root ``pyproject.toml``;
a package may depend only on tiers to its left. This module enforces that three ways:

``requirements``
    Reads every ``packages/*/pyproject.toml`` (``[project].dependencies``,
    ``[project.optional-dependencies]`` and ``[dependency-groups]``) and fails on a
    requirement naming the same or a later tier, on a ``tt-*`` requirement that is not a
    compatible range (``>=0.1,<0.2``), on a package folder that is not in the tier list,
    and on a package without tests.
``imports``
    Runs import-linter with a layers contract over the ``tt_*`` import packages of the
    tiers that exist, generated at run time from the tier list (import-linter refuses
    root packages that cannot be imported, so the planned tiers are left out).
``deptry``
    Runs deptry on each package's ``src/``: every import must be a declared
    dependency and every declared dependency must be imported.

Usage (from anywhere; ``--root`` defaults to the repository holding this file)::

    python .ci/chain.py requirements
    python .ci/chain.py imports
    python .ci/chain.py deptry [PACKAGE_DIR ...]
    python .ci/chain.py all
    python .ci/chain.py tiers

Each subcommand exits 0 when the chain holds and 1 with readable messages when not.
The functions are importable (``tests-integration/chain`` uses them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
TIERS_CONTRACT_ID = "tiers"
LOWER_BOUND_OPERATORS = frozenset({">=", ">", "~="})
UPPER_BOUND_OPERATORS = frozenset({"<", "<=", "~="})


class ChainError(Exception):
    """The repository is set up so badly that a check cannot even start."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: ``ok`` and the text to show a person."""

    name: str
    ok: bool
    output: str


# --------------------------------------------------------------------------- tier list


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning any failure into a ChainError naming the file."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ChainError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ChainError(f"{path}: invalid TOML: {e}") from None


def load_tiers(root: Path = REPO_ROOT) -> list[str]:
    """Return the ordered tier list from ``[tool.tt].tiers`` of the root pyproject."""
    pyproject = root / "pyproject.toml"
    tiers = read_toml(pyproject).get("tool", {}).get("tt", {}).get("tiers")
    if not isinstance(tiers, list) or not tiers or not all(isinstance(t, str) for t in tiers):
        raise ChainError(f"{pyproject}: [tool.tt].tiers must be a non-empty list of strings")
    for name in tiers:
        if canonicalize_name(name) != name or not name.startswith("tt-"):
            raise ChainError(
                f"{pyproject}: tier {name!r} must be a normalized distribution name "
                f"starting with 'tt-' (e.g. 'tt-tensor')"
            )
    duplicates = sorted({t for t in tiers if tiers.count(t) > 1})
    if duplicates:
        raise ChainError(f"{pyproject}: [tool.tt].tiers lists {duplicates} more than once")
    return list(tiers)


def import_name(distribution: str) -> str:
    """The import package of a tier: ``tt-tensor`` -> ``tt_tensor``."""
    return distribution.replace("-", "_")


def package_dir(root: Path, distribution: str) -> Path:
    return root / "packages" / distribution


def existing_tiers(root: Path = REPO_ROOT) -> list[str]:
    """Tiers, in order, that have a ``packages/<name>/pyproject.toml``."""
    return [t for t in load_tiers(root) if (package_dir(root, t) / "pyproject.toml").is_file()]


def package_folders(root: Path) -> list[Path]:
    """Every folder under ``packages/`` (hidden and cache folders aside)."""
    packages = root / "packages"
    if not packages.is_dir():
        return []
    return sorted(
        p
        for p in packages.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "__pycache__"
    )


def has_tests(folder: Path) -> bool:
    """True if ``tests/`` holds a ``test_*.py`` outside ``tests/parity/``."""
    tests = folder / "tests"
    parity = tests / "parity"
    return any(parity not in f.parents for f in tests.rglob("test_*.py"))


# --------------------------------------------------------------------------- requirements


def _requirements(pyproject: dict[str, Any]) -> Iterator[tuple[str, object]]:
    """Yield (what, requirement) for every requirement a package pyproject declares."""
    project = pyproject.get("project", {})
    for req in project.get("dependencies", []):
        yield "dependency", req
    for extra, reqs in project.get("optional-dependencies", {}).items():
        for req in reqs:
            yield f"optional dependency (extra {extra!r})", req
    for group, reqs in pyproject.get("dependency-groups", {}).items():
        for req in reqs:
            if isinstance(req, dict):  # {include-group = "..."}: checked where it is defined
                continue
            yield f"dependency group {group!r} entry", req


def _range_problem(req: Requirement) -> str | None:
    """Why a tt-* requirement is not a compatible range, or None if it is one."""
    operators = {spec.operator for spec in req.specifier}
    if req.url:
        return "is a direct reference (URL); tt-* packages come from the wheelhouse by version"
    if not operators:
        return "is unpinned"
    if operators & {"==", "==="}:
        return "is an exact pin"
    if not operators & LOWER_BOUND_OPERATORS or not operators & UPPER_BOUND_OPERATORS:
        return "is not bounded on both sides"
    return None


def check_requirements(root: Path = REPO_ROOT) -> list[str]:
    """Return one readable message per chain violation in the package pyprojects."""
    tiers = load_tiers(root)
    tier_of = {name: i + 1 for i, name in enumerate(tiers)}
    problems: list[str] = []
    for folder in package_folders(root):
        rel = folder.relative_to(root).as_posix()
        name = folder.name
        if name not in tier_of:
            problems.append(
                f"{rel}: folder {name!r} is not in the tier list ([tool.tt].tiers in "
                f"pyproject.toml); add it there, in dependency order, or remove the folder"
            )
            continue
        own_tier = tier_of[name]
        pyproject_path = folder / "pyproject.toml"
        where = f"{rel}/pyproject.toml"
        if not pyproject_path.is_file():
            problems.append(f"{where}: missing")
            continue
        try:
            pyproject = read_toml(pyproject_path)
        except ChainError as e:
            problems.append(f"{where}: {e}")
            continue
        declared = pyproject.get("project", {}).get("name")
        if declared is None or canonicalize_name(str(declared)) != name:
            problems.append(f"{where}: [project].name is {declared!r} but the folder is {name!r}")
        if not has_tests(folder):
            problems.append(
                f"{rel}: has no tests (expected {rel}/tests/test_*.py outside tests/parity/)"
            )
        for what, raw in _requirements(pyproject):
            if not isinstance(raw, str):
                problems.append(f"{where}: {what} {raw!r} is not a requirement string")
                continue
            try:
                req = Requirement(raw)
            except InvalidRequirement as e:
                problems.append(f"{where}: {what} {raw!r} is not a valid requirement: {e}")
                continue
            dep = canonicalize_name(req.name)
            if dep not in tier_of:
                if dep.startswith("tt-"):
                    problems.append(
                        f"{where}: {what} {raw!r} names {dep!r}, which is not in the tier "
                        f"list ([tool.tt].tiers in pyproject.toml)"
                    )
                continue
            dep_tier = tier_of[dep]
            if dep_tier >= own_tier:
                problems.append(
                    f"{where}: {what} {raw!r} names tier {dep_tier} ({dep}), but {name} is "
                    f"tier {own_tier} and may only depend on tiers to its left"
                )
            reason = _range_problem(req)
            if reason is not None:
                problems.append(
                    f"{where}: {what} {raw!r} {reason}; use a compatible range such as "
                    f"'{dep}>=0.1,<0.2'"
                )
    return problems


def requirements_result(root: Path = REPO_ROOT) -> CheckResult:
    problems = check_requirements(root)
    if problems:
        text = "\n".join(problems) + f"\nrequirements: {len(problems)} problem(s)"
        return CheckResult("requirements", ok=False, output=text)
    count = len(package_folders(root))
    return CheckResult("requirements", ok=True, output=f"requirements: {count} package(s) OK")


# --------------------------------------------------------------------------- import-linter


def _toml_value(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise ChainError(f"pyproject.toml: {where}: cannot pass {value!r} on to import-linter")


def import_linter_config(root: Path = REPO_ROOT) -> str:
    """Build the import-linter TOML: root pyproject options + generated tiers contract.

    ``root_packages`` lists the import packages of the existing tiers; the contract
    with id ``tiers`` gets ``layers`` = those packages, highest tier first.
    """
    options = dict(read_toml(root / "pyproject.toml").get("tool", {}).get("importlinter", {}))
    contracts = options.pop("contracts", [])
    present = [import_name(t) for t in existing_tiers(root)]
    if not present:
        raise ChainError(f"{root / 'packages'}: no tier has a package yet")
    options["root_packages"] = present
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {_toml_value(v, f'[tool.importlinter].{k}')}" for k, v in options.items()]
    found = False
    for contract in contracts:
        contract = dict(contract)
        if contract.get("id") == TIERS_CONTRACT_ID:
            found = True
            contract["layers"] = list(reversed(present))
        lines += ["", "[[tool.importlinter.contracts]]"]
        where = f"contract {contract.get('id', '?')!r}"
        lines += [f"{k} = {_toml_value(v, where)}" for k, v in contract.items()]
    if not found:
        raise ChainError(
            f"pyproject.toml: no [[tool.importlinter.contracts]] with id = "
            f"{TIERS_CONTRACT_ID!r}; chain.py fills in its layers from [tool.tt].tiers"
        )
    return "\n".join(lines) + "\n"


def _missing_init_files(root: Path) -> list[str]:
    missing = []
    for tier in existing_tiers(root):
        init = package_dir(root, tier) / "src" / import_name(tier) / "__init__.py"
        if not init.is_file():
            missing.append(f"{init.relative_to(root).as_posix()}: missing")
    return missing


def imports_result(root: Path = REPO_ROOT) -> CheckResult:
    """Run lint-imports over the existing tiers (their ``src/`` dirs on PYTHONPATH)."""
    missing = _missing_init_files(root)
    if missing:
        text = "\n".join(missing) + "\nimports: every existing tier needs its import package"
        return CheckResult("imports", ok=False, output=text)
    config = import_linter_config(root)
    present = existing_tiers(root)
    src_dirs = [str(package_dir(root, t) / "src") for t in present]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(src_dirs))
    with tempfile.TemporaryDirectory(prefix="tt-import-linter-") as tmp:
        config_path = Path(tmp) / "importlinter.toml"
        config_path.write_text(config, encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
                "--config",
                str(config_path),
                "--no-cache",
                "--no-logo",
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        output += (
            "\nimports: a tier imports a tier to its right (or import-linter failed); "
            f"layers, highest first: {', '.join(import_name(t) for t in reversed(present))}"
        )
    return CheckResult("imports", ok=proc.returncode == 0, output=output)


# --------------------------------------------------------------------------- deptry


def deptry_result(root: Path, folder: Path) -> CheckResult:
    """Run deptry on ``folder/src`` against the dependencies in ``folder/pyproject.toml``."""
    folder = folder.resolve()
    tiers = load_tiers(root)
    name = folder.name
    if name not in tiers:
        return CheckResult(f"deptry {name}", ok=False, output=f"{folder}: not a tier")
    try:
        rel = folder.relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = str(folder)
    name_map = ",".join(f"{t}={import_name(t)}" for t in tiers)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "deptry",
            f"{rel}/src",
            "--config",
            f"{rel}/pyproject.toml",
            "--known-first-party",
            import_name(name),
            "--package-module-name-map",
            name_map,
            "--no-ansi",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (proc.stdout + proc.stderr).strip()
    prefix = f"deptry {rel}: "
    if proc.returncode == 0:
        return CheckResult(f"deptry {name}", ok=True, output=prefix + "OK")
    return CheckResult(f"deptry {name}", ok=False, output=output + "\n" + prefix + "FAILED")


def deptry_results(root: Path = REPO_ROOT, folders: Sequence[Path] = ()) -> list[CheckResult]:
    chosen = list(folders) or [package_dir(root, t) for t in existing_tiers(root)]
    return [deptry_result(root, f) for f in chosen]


# --------------------------------------------------------------------------- CLI


def tiers_table(root: Path = REPO_ROOT) -> str:
    present = set(existing_tiers(root))
    rows = [f"{'tier':>4}  {'package':<12} {'import':<12} status"]
    for i, tier in enumerate(load_tiers(root), start=1):
        status = "present" if tier in present else "planned"
        rows.append(f"{i:>4}  {tier:<12} {import_name(tier):<12} {status}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python .ci/chain.py", description="Check the tt tier chain."
    )
    parser.add_argument(
        "--root", type=Path, default=REPO_ROOT, help="repository root (default: %(default)s)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("requirements", help="check the requirements of every package")
    sub.add_parser("imports", help="run import-linter with the generated tiers contract")
    dep = sub.add_parser("deptry", help="run deptry per package")
    dep.add_argument("package_dirs", nargs="*", type=Path, metavar="PACKAGE_DIR")
    sub.add_parser("all", help="requirements, imports and deptry")
    sub.add_parser("tiers", help="print the tier list and which tiers exist")
    sub.add_parser("import-linter-config", help="print the generated import-linter config")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()

    try:
        if args.command == "tiers":
            print(tiers_table(root))
            return 0
        if args.command == "import-linter-config":
            print(import_linter_config(root), end="")
            return 0
        results: list[CheckResult] = []
        if args.command in ("requirements", "all"):
            results.append(requirements_result(root))
        if args.command in ("imports", "all"):
            results.append(imports_result(root))
        if args.command == "deptry":
            results += deptry_results(root, args.package_dirs)
        if args.command == "all":
            results += deptry_results(root)
    except ChainError as e:
        print(f"chain: {e}", file=sys.stderr)
        return 2
    for result in results:
        print(result.output, file=sys.stdout if result.ok else sys.stderr, flush=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"chain: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
