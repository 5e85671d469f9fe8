"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies."""

import re

import tomllib
import yaml

from analysis import config

# conda-forge names that differ from the PyPI names.
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "vadersentiment": "vadersentiment"}
# A PyPI requirement that conda splits in two.
PYPI_EXTRAS = {"dask[distributed]": ["dask", "distributed"]}
NOT_PACKAGES = {"python", "pip"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    assert m, req
    return m.group(1), m.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())
    reqs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    out = {}
    for r in reqs:
        name, spec = _split(r)
        for part in PYPI_EXTRAS.get(name, [name]):
            out[_norm(part)] = spec
    return out


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for r in dep.get("pip", []):
                if r.startswith("-e"):
                    continue
                name, spec = _split(r)
                out[_norm(name)] = spec
            continue
        name, spec = _split(dep.replace("=", "==", 1) if re.match(r"^[\w.-]+=[^=]", dep) else dep)
        name = CONDA_TO_PYPI.get(name, name)
        if name not in NOT_PACKAGES:
            out[_norm(name)] = spec
    return out


def test_same_packages():
    py, env = pyproject_requirements(), environment_requirements()
    assert sorted(set(py) - set(env)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(env) - set(py)) == [], "in environment.yml but not pyproject.toml"


def test_same_version_bounds():
    py, env = pyproject_requirements(), environment_requirements()
    differ = {k: (py[k], env[k]) for k in py if k in env and py[k] != env[k]}
    assert differ == {}


def test_python_version_is_allowed_by_pyproject():
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    pinned = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    data = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())
    low = data["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, pinned.split("=")[1].split("."))) >= tuple(map(int, low.split(".")))


def test_mismatch_is_detected(monkeypatch):
    """The comparison itself can fail: a dropped package is reported."""
    py = pyproject_requirements()
    py.pop("pandas")
    assert "pandas" in set(environment_requirements()) - set(py)
