"""Every notebook runs top to bottom through papermill, and documents its parameters."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import papermill as pm
import pytest

from analysis import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_typed_and_commented(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    for line in cells[0].source.splitlines():
        assert ": " in line.split("=")[0] and "#" in line, f"{path.name}: untyped or uncommented: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_help_notebook_documents_parameters(path):
    out = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(path)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Parameters inferred for notebook" in out
    params = next(c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    for line in params.source.splitlines():
        name, comment = line.split(":")[0].strip(), line.split("#", 1)[1].strip()
        assert f"{name}: " in out and comment in out, (name, out)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "def " not in cell.source and "class " not in cell.source, path.name
            assert len(cell.source.splitlines()) <= 15, path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_with_default_parameters(path, tmp_path):
    """As in JupyterLab: default parameters, tables built from the default corpus."""
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "display_data"]
    assert shown, f"{path.name} displayed nothing"


@pytest.mark.slow
def test_profile_rejects_unknown_source(seed_tables, tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="not in this run"):
        pm.execute_notebook(str(config.REPORT_NOTEBOOKS["source_profile"]), str(tmp_path / "p.ipynb"),
                            parameters={"data_dir": str(seed_tables), "source": "No Such Outlet"},
                            kernel_name="python3", progress_bar=False)
