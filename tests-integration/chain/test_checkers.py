"""The chain checkers catch what they claim to catch, with messages that say where.

Each test copies the repository's ``packages/`` and root ``pyproject.toml`` into a
temporary directory, plants one violation and runs the real checks on the copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import chain

REPO = Path(__file__).resolve().parents[2]
FORWARD_REQUIREMENT = "tt-autograd>=0.1,<0.2"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the packages and the root pyproject, safe to break."""
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        REPO / "packages",
        tmp_path / "packages",
        ignore=shutil.ignore_patterns(
            "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "dist", "build"
        ),
    )
    return tmp_path


def add_dependency(repo: Path, package: str, requirement: str, table: str = "project") -> Path:
    """Append ``requirement`` to a package's dependencies (or to a dependency group)."""
    path = repo / "packages" / package / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    if table == "project":
        text, count = re.subn(
            r"^dependencies = \[", f"dependencies = [{requirement!r}, ", text, flags=re.M
        )
        assert count == 1, f"{path}: no single `dependencies = [` line"
    else:
        text += f"\n[dependency-groups]\n{table} = [{requirement!r}]\n"
    path.write_text(text, encoding="utf-8")
    return path


def plant_forward_import(repo: Path) -> Path:
    module = repo / "packages" / "tt-tensor" / "src" / "tt_tensor" / "_forward_import.py"
    module.write_text(
        '"""Planted by the chain tests."""\n\nimport tt_autograd\n\n_ = tt_autograd\n',
        encoding="utf-8",
    )
    return module


def deptry_output(repo: Path, package: str) -> chain.CheckResult:
    return chain.deptry_result(repo, repo / "packages" / package)


# --------------------------------------------------------------------------- clean tree


def test_clean_tree_passes_every_check(repo: Path) -> None:
    assert chain.check_requirements(repo) == []
    imports = chain.imports_result(repo)
    assert imports.ok, imports.output
    for result in chain.deptry_results(repo):
        assert result.ok, result.output


def test_tier_list_is_read_from_the_root_pyproject(repo: Path) -> None:
    tiers = chain.load_tiers(repo)
    assert tiers[:2] == ["tt-tensor", "tt-autograd"]
    assert tiers[-1] == "tt-bench"
    assert len(tiers) == 9
    assert chain.existing_tiers(repo) == [t for t in tiers if (repo / "packages" / t).is_dir()]


# --------------------------------------------------------------------------- forward requirement


def test_forward_requirement_fails_the_requirement_checker(repo: Path) -> None:
    add_dependency(repo, "tt-tensor", FORWARD_REQUIREMENT)
    assert chain.check_requirements(repo) == [
        f"packages/tt-tensor/pyproject.toml: dependency {FORWARD_REQUIREMENT!r} names tier 2 "
        "(tt-autograd), but tt-tensor is tier 1 and may only depend on tiers to its left"
    ]


def test_forward_requirement_fails_the_cli_with_a_readable_message(repo: Path) -> None:
    add_dependency(repo, "tt-tensor", FORWARD_REQUIREMENT)
    proc = subprocess.run(
        [sys.executable, str(REPO / ".ci" / "chain.py"), "--root", str(repo), "requirements"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "packages/tt-tensor/pyproject.toml: dependency 'tt-autograd>=0.1,<0.2'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_forward_requirement_fails_deptry_as_unused(repo: Path) -> None:
    add_dependency(repo, "tt-tensor", FORWARD_REQUIREMENT)
    result = deptry_output(repo, "tt-tensor")
    assert not result.ok
    assert "packages/tt-tensor/pyproject.toml: DEP002 'tt-autograd'" in result.output


def test_requirement_in_a_dependency_group_is_checked_too(repo: Path) -> None:
    add_dependency(repo, "tt-tensor", "tt-nn>=0.1,<0.2", table="test")
    assert chain.check_requirements(repo) == [
        "packages/tt-tensor/pyproject.toml: dependency group 'test' entry 'tt-nn>=0.1,<0.2' "
        "names tier 3 (tt-nn), but tt-tensor is tier 1 and may only depend on tiers to its left"
    ]


@pytest.mark.parametrize(
    ("requirement", "reason"),
    [
        ("tt-tensor", "is unpinned"),
        ("tt-tensor==0.1.0", "is an exact pin"),
        ("tt-tensor>=0.1", "is not bounded on both sides"),
    ],
)
def test_tt_requirement_must_be_a_compatible_range(
    repo: Path, requirement: str, reason: str
) -> None:
    path = repo / "packages" / "tt-autograd" / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    # whatever range tt-autograd declares today, replaced by the bad requirement
    bad = re.sub(r'"tt-tensor[^"]*"', f'"{requirement}"', text, count=1)
    assert bad != text
    path.write_text(bad, encoding="utf-8")
    assert chain.check_requirements(repo) == [
        f"packages/tt-autograd/pyproject.toml: dependency {requirement!r} {reason}; "
        "use a compatible range such as 'tt-tensor>=0.1,<0.2'"
    ]


def test_package_folder_outside_the_tier_list_fails(repo: Path) -> None:
    (repo / "packages" / "tt-extra").mkdir()
    problems = chain.check_requirements(repo)
    assert len(problems) == 1
    assert problems[0].startswith("packages/tt-extra: folder 'tt-extra' is not in the tier list")


def test_package_without_tests_fails(repo: Path) -> None:
    shutil.rmtree(repo / "packages" / "tt-autograd" / "tests")
    assert chain.check_requirements(repo) == [
        "packages/tt-autograd: has no tests "
        "(expected packages/tt-autograd/tests/test_*.py outside tests/parity/)"
    ]


# --------------------------------------------------------------------------- forward import


def test_forward_import_fails_import_linter(repo: Path) -> None:
    plant_forward_import(repo)
    result = chain.imports_result(repo)
    assert not result.ok
    assert "tt_tensor is not allowed to import tt_autograd" in result.output
    assert "tt_tensor._forward_import -> tt_autograd (l.3)" in result.output


def test_forward_import_fails_deptry_as_missing(repo: Path) -> None:
    plant_forward_import(repo)
    result = deptry_output(repo, "tt-tensor")
    assert not result.ok
    assert re.search(
        r"packages/tt-tensor/src/tt_tensor/_forward_import\.py:3:\d+: "
        r"DEP001 'tt_autograd' imported but missing from the dependency definitions",
        result.output,
    ), result.output


def test_forward_import_passes_the_requirement_checker(repo: Path) -> None:
    """The requirement checker reads pyprojects only; imports are the other checks' job."""
    plant_forward_import(repo)
    assert chain.check_requirements(repo) == []


def test_import_linter_config_covers_existing_tiers_only(repo: Path) -> None:
    config = chain.import_linter_config(repo)
    existing = [chain.import_name(t) for t in chain.existing_tiers(repo)]
    planned = [
        chain.import_name(t) for t in chain.load_tiers(repo) if chain.import_name(t) not in existing
    ]
    assert existing[:2] == ["tt_tensor", "tt_autograd"]
    assert planned, "the test needs at least one tier that does not exist yet"
    assert "root_packages = [" + ", ".join(f'"{t}"' for t in existing) + "]" in config
    assert "layers = [" + ", ".join(f'"{t}"' for t in reversed(existing)) + "]" in config
    for t in planned:
        assert f'"{t}"' not in config
