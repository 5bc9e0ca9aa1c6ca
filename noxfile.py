"""The single entry point for checking, building and testing the tt monorepo.

    nox                  # the full check: lint types chain build tests integration
                         # milestones parity (everything but bench)
    nox -s milestones    # the main job: run every milestone script on the built wheels
    nox -s tests         # each package's tests against its own wheel, one session each
    nox -t tt-tensor     # one package's tests (its build runs first)
    nox -s bench         # benchmarks (never part of the full check)
    nox -l               # list the sessions

The packages come from the ONE tier list, ``[tool.tt].tiers`` in pyproject.toml: a tier
is "existing" once ``packages/<tier>/pyproject.toml`` exists. Sessions that test built
code require ``build`` (run once per nox invocation) and install tt-* packages only from
the wheelhouse (``.nox/wheelhouse``) with ``--no-index``; third-party packages come from
the registry, except torch, which comes only from the local CPU build via pip.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Literal

import nox
from nox.command import CommandFailed
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_external_run = True
nox.options.sessions = [
    "lint",
    "types",
    "chain",
    "build",
    "tests",
    "integration",
    "milestones",
    "parity",
]

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
TIERS: list[str] = list(PYPROJECT["tool"]["tt"]["tiers"])
PACKAGES: list[str] = [t for t in TIERS if (ROOT / "packages" / t / "pyproject.toml").is_file()]
WHEELHOUSE = ROOT / ".nox" / "wheelhouse"
MILESTONES = ROOT / "milestones"
SHARED = MILESTONES / "_shared"  # what every milestone script imports (not a milestone)
INTEGRATION = ROOT / "tests-integration"
TORCH = "torch==2.13.0"
PYTEST_EXIT_NO_TESTS = 5


# --------------------------------------------------------------------------- helpers


def group(name: str) -> tuple[str, ...]:
    """The requirements of one PEP 735 dependency group of the root pyproject."""
    return nox.project.dependency_groups(PYPROJECT, name)


def import_name(package: str) -> str:
    return package.replace("-", "_")


def requirements_of(package: str, *, extras: bool = False) -> list[Requirement]:
    """``[project].dependencies`` of one package (and every optional dependency, with
    ``extras``)."""
    project = nox.project.load_toml(ROOT / "packages" / package / "pyproject.toml")["project"]
    found = list(project.get("dependencies", []))
    if extras:
        found += [r for reqs in project.get("optional-dependencies", {}).values() for r in reqs]
    return [Requirement(r) for r in found]


def tt_closure(package: str) -> list[str]:
    """The package and every tt-* package it depends on, transitively, in tier order."""
    seen = {package}
    todo = [package]
    while todo:
        for req in requirements_of(todo.pop()):
            dep = canonicalize_name(req.name)
            if dep in TIERS and dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return [t for t in TIERS if t in seen]


def third_party(packages: list[str]) -> list[str]:
    """Non-tt requirements of the packages and of all their tt-* dependencies, extras
    included: tests and type checks cover the optional features too (a package's tests
    show separately that it works without them)."""
    found: dict[str, None] = {}
    for package in {p for pkg in packages for p in tt_closure(pkg)}:
        for req in requirements_of(package, extras=True):
            if canonicalize_name(req.name) not in TIERS:
                found[str(req)] = None
    return sorted(found)


def install_from_wheelhouse(session: nox.Session, packages: list[str], closure: list[str]) -> None:
    """Install tt-* packages from the wheelhouse only: never from a registry.

    Their third-party dependencies must already be installed (``--no-index``); their
    tt-* dependencies are resolved from the wheelhouse too.
    """
    if not any(WHEELHOUSE.glob("*.whl")):
        session.error(f"no wheels in {WHEELHOUSE.relative_to(ROOT)}; run `nox -s build` first")
    args = ["--no-index", "--find-links", str(WHEELHOUSE)]
    if session.venv_backend == "uv":
        # A reused env (--reuse-venv=always) must not keep a stale same-version wheel.
        args += ["--no-build", *(f"--reinstall-package={p}" for p in closure)]
        session.install(*args, *packages)
    else:  # pip cannot reinstall only some packages: install the whole closure, no deps
        args += ["--only-binary", ":all:", "--force-reinstall", "--no-deps"]
        session.install(*args, *closure)


def check_installed(session: nox.Session, packages: list[str]) -> None:
    """Prove the tt-* code under test is the installed wheel, not the source tree."""
    session.run("python", str(ROOT / ".ci" / "check_installed.py"), *packages)


def install_for(session: nox.Session, packages: list[str], *extra: str) -> None:
    """Third-party deps (+ extra) from the registry, then the tt wheels, --no-index."""
    from_registry = [*third_party(packages), *extra]
    if from_registry:
        session.install(*from_registry)
    closure = [t for t in TIERS if any(t in tt_closure(p) for p in packages)]
    install_from_wheelhouse(session, packages, closure)
    check_installed(session, closure)


def run_pytest(session: nox.Session, *args: str, none_collected: Literal["error", "skip"]) -> None:
    """Run pytest from a scratch directory, so only installed code is importable.

    ``none_collected`` says what to do on pytest's exit code 5 (no tests collected):
    "error" fails the session with a plain message, "skip" marks it skipped.
    """
    with session.chdir(session.create_tmp()):
        try:
            session.run(
                "pytest",
                "-c",
                str(ROOT / "pyproject.toml"),
                "--rootdir",
                str(ROOT),
                "-p",
                "no:cacheprovider",
                *args,
                *session.posargs,
            )
        except CommandFailed as e:
            if e.return_code != PYTEST_EXIT_NO_TESTS:
                raise
            where = " ".join(a for a in args if not a.startswith("-"))
            message = f"pytest collected NO tests in {where}"
            if none_collected == "skip":
                session.skip(message)
            session.error(message)


def torch_or_skip(session: nox.Session) -> None:
    """Install the local PyTorch CPU build with pip, or skip (fail when CI=true)."""
    try:
        session.install("--no-index", "--no-deps", TORCH)
    except CommandFailed:
        message = "PyTorch 2.13.0 CPU build not available here"
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            session.error(f"{message}, and CI=true: the parity tests must run in CI")
        session.skip(f"{message}; {session.name} skipped")
    session.install(TORCH)  # torch is installed now: this adds only its small deps


# --------------------------------------------------------------------------- sessions


@nox.session(python=None, reuse_venv=True)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    session.install(*group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=None, reuse_venv=True)
def types(session: nox.Session) -> None:
    """mypy --strict per package (its src + its tt deps' src only), then the tooling."""
    session.install(*group("types"), *third_party(PACKAGES))
    for package in PACKAGES:
        path = os.pathsep.join(str(ROOT / "packages" / p / "src") for p in tt_closure(package))
        session.run(
            "mypy",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / package),
            "-p",
            import_name(package),
            env={"MYPYPATH": path},
        )
    every_src = [str(ROOT / "packages" / p / "src") for p in PACKAGES]
    targets = [
        ["noxfile.py", ".ci"],
        [str(f.relative_to(ROOT)) for f in sorted(INTEGRATION.glob("*.py"))],
        *(
            [str(d.relative_to(ROOT))]
            for d in sorted(INTEGRATION.iterdir())
            if d.is_dir() and any(d.rglob("*.py"))
        ),
        *([str(d.relative_to(ROOT))] for d in milestone_dirs() if any(d.rglob("*.py"))),
        [str(SHARED.relative_to(ROOT))] if SHARED.is_dir() else [],
    ]
    for target in filter(None, targets):
        session.run(
            "mypy",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "tooling"),
            *target,
            env={"MYPYPATH": os.pathsep.join([*every_src, str(ROOT / ".ci"), str(SHARED)])},
        )


@nox.session(python=None, reuse_venv=True)
def chain(session: nox.Session) -> None:
    """The dependency-chain checks of .ci/chain.py, then the checkers' own tests."""
    session.install(*group("chain"), *third_party(PACKAGES))
    session.run("python", ".ci/chain.py", "tiers")
    session.run("python", ".ci/chain.py", "all")
    session.run("pytest", "-p", "no:cacheprovider", str(INTEGRATION / "chain"), *session.posargs)


@nox.session(python=None, reuse_venv=True)
def build(session: nox.Session) -> None:
    """hatch build every existing package into the wheelhouse, then twine check --strict."""
    session.install(*group("build"))
    shutil.rmtree(WHEELHOUSE, ignore_errors=True)
    WHEELHOUSE.mkdir(parents=True)
    # hatch builds in its own "hatch-build" env (kept under .nox/hatch). nox's UV_PYTHON
    # would make hatch's uv install hatchling into this session's venv instead: unset it.
    hatch_env = {
        "HATCH_DATA_DIR": str(ROOT / ".nox" / "hatch"),
        "UV_PYTHON": None,
        "UV_PROJECT_ENVIRONMENT": None,
    }
    for package in PACKAGES:
        with session.chdir(ROOT / "packages" / package):
            session.run("hatch", "build", str(WHEELHOUSE), env=hatch_env)
    built = sorted(WHEELHOUSE.iterdir())
    for package in PACKAGES:
        prefix = import_name(package) + "-"
        wheels = [f for f in built if f.name.startswith(prefix) and f.suffix == ".whl"]
        sdists = [f for f in built if f.name.startswith(prefix) and f.name.endswith(".tar.gz")]
        if len(wheels) != 1 or len(sdists) != 1:
            session.error(f"{package}: expected one wheel and one sdist, got {wheels + sdists}")
    session.run("twine", "check", "--strict", *map(str, built))


@nox.session(python=None, requires=["build"])
@nox.parametrize("package", [nox.param(p, id=p, tags=[p]) for p in PACKAGES])
def tests(session: nox.Session, package: str) -> None:
    """One package's tests against its wheel, in a fresh env with only its declared deps."""
    tests_dir = ROOT / "packages" / package / "tests"
    install_for(session, [package], *group("test"))
    run_pytest(
        session,
        str(tests_dir),
        f"--ignore={tests_dir / 'parity'}",
        none_collected="error",
    )


@nox.session(python=None, requires=["build"])
def integration(session: nox.Session) -> None:
    """All wheels together: pytest on tests-integration/ (chain/ runs in the chain session)."""
    excluded = (INTEGRATION / "chain", INTEGRATION / "bench")
    if not any(not any(d in f.parents for d in excluded) for f in INTEGRATION.rglob("test_*.py")):
        session.skip("no integration tests yet: no tests-integration/**/test_*.py outside chain/")
    install_for(session, PACKAGES, *group("test"))
    run_pytest(
        session,
        str(INTEGRATION),
        f"--ignore={INTEGRATION / 'chain'}",
        f"--ignore={INTEGRATION / 'bench'}",
        none_collected="skip",
    )


def milestone_dirs() -> list[Path]:
    if not MILESTONES.is_dir():
        return []
    return sorted(
        d for d in MILESTONES.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
    )


@nox.session(python=None, requires=["build"])
def milestones(session: nox.Session) -> None:
    """Run every milestones/<name>/run.py on the installed wheels; print a summary table.

    ``nox -s milestones -- --full`` runs the full gates (whole datasets, more epochs) and then
    rewrites milestones/RESULTS.md from the gates the scripts measured (never by hand)."""
    folders = milestone_dirs()
    if not folders:
        session.skip(f"no milestone folders under {MILESTONES.relative_to(ROOT)}/ yet")
    unknown = [a for a in session.posargs if a != "--full"]
    if unknown:
        session.error(f"milestones: the only argument is --full, got {' '.join(unknown)}")
    install_for(session, PACKAGES)
    results = Path(session.create_tmp()) / "milestone-results"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir()
    rows: list[tuple[str, str, float]] = []
    for folder in folders:
        script = folder / "run.py"
        name = str(folder.relative_to(ROOT))
        if not script.is_file():
            rows.append((name, "no run.py", 0.0))
            continue
        start = time.perf_counter()
        try:
            out = results / f"{folder.name}.json"
            session.run("python", str(script), *session.posargs, "--json", str(out))
            status = "ok"
        except CommandFailed as e:
            status = f"FAILED (exit {e.return_code})"
        rows.append((name, status, time.perf_counter() - start))
    width = max(len(r[0]) for r in rows)
    session.log(f"{'milestone':<{width}}  {'seconds':>8}  result")
    for name, status, seconds in rows:
        session.log(f"{name:<{width}}  {seconds:>8.1f}  {status}")
    if "--full" in session.posargs:
        session.run("python", str(SHARED / "results.py"), str(results), str(MILESTONES))
    failed = [r[0] for r in rows if r[1] != "ok"]
    if failed:
        session.error(f"{len(failed)} of {len(rows)} milestone(s) failed: {', '.join(failed)}")


@nox.session(python=None, venv_backend="virtualenv", reuse_venv=True, requires=["build"])
def parity(session: nox.Session) -> None:
    """tt against PyTorch: packages/*/tests/parity, with torch from the local CPU build."""
    dirs = [d for p in PACKAGES if (d := ROOT / "packages" / p / "tests" / "parity").is_dir()]
    if not dirs:
        session.skip("no packages/*/tests/parity folders yet")
    torch_or_skip(session)
    install_for(session, PACKAGES, *group("parity"))
    run_pytest(session, *map(str, dirs), none_collected="skip")


@nox.session(python=None, venv_backend="virtualenv", reuse_venv=True, requires=["build"])
def bench(session: nox.Session) -> None:
    """Benchmarks: tests-integration/bench/run.py with all wheels and torch.

    Writes JSON to .nox/bench/results.json (override: ``nox -s bench -- --json PATH``).
    """
    torch_or_skip(session)
    install_for(session, PACKAGES, *group("bench"))
    out = ROOT / ".nox" / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    args = session.posargs or ["--json", str(out)]
    session.run("python", str(INTEGRATION / "bench" / "run.py"), *args)
