"""Pre-warmed report kernels: reused between notebooks with an empty namespace, replaced after a failure."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from analysis import kernels

pytestmark = pytest.mark.slow


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def _run(pool, path, out):
    km = pool.acquire()
    ok = False
    try:
        pm.execute_notebook(str(path), str(out), km=km, kernel_name="python3", progress_bar=False)
        ok = True
    finally:
        pool.release(km, healthy=ok)
    return nbformat.read(out, as_version=4)


def _text(nb, index):
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in nb.cells[index].outputs)


def test_one_kernel_runs_notebooks_one_after_another_with_a_clean_namespace(tmp_path):
    first = _notebook(tmp_path / "a.ipynb", "leftover = 41\nimport sys, os\nprint(os.getpid())")
    second = _notebook(tmp_path / "b.ipynb", "import os, sys\nprint(os.getpid())\nprint('leftover' in dir())\n"
                       "print('analysis.views' in sys.modules)")
    with kernels.KernelPool(1, cwd=tmp_path, setup="") as pool:
        a = _run(pool, first, tmp_path / "a.out.ipynb")
        b = _run(pool, second, tmp_path / "b.out.ipynb")
        assert pool.started == 1
    pid_a = _text(a, 0).split()[0]
    pid_b, leftover, warm = _text(b, 0).split()
    assert pid_a == pid_b  # the same kernel
    assert leftover == "False"  # nothing of the first notebook is left
    assert warm == "True"  # the report modules were imported when the kernel started


def test_a_failed_notebook_gets_a_new_kernel(tmp_path):
    bad = _notebook(tmp_path / "bad.ipynb", "import os\nprint(os.getpid())\nraise ValueError('deliberate')")
    good = _notebook(tmp_path / "good.ipynb", "import os\nprint(os.getpid())")
    with kernels.KernelPool(1, cwd=tmp_path, setup="", warm_imports=()) as pool:
        with pytest.raises(pm.PapermillExecutionError, match="deliberate"):
            _run(pool, bad, tmp_path / "bad.out.ipynb")
        _run(pool, good, tmp_path / "good.out.ipynb")
        assert pool.started == 2


def test_kernels_start_in_the_given_folder(tmp_path):
    nb = _notebook(tmp_path / "cwd.ipynb", "import os\nprint(os.getcwd())")
    work = tmp_path / "work"
    work.mkdir()
    with kernels.KernelPool(1, cwd=work, setup="", warm_imports=()) as pool:
        out = _run(pool, nb, tmp_path / "cwd.out.ipynb")
    assert _text(out, 0).strip() == str(work)


def test_warm_lines_import_each_module():
    line = kernels.warm_lines("x = 1", ("json", "csv"))
    scope: dict = {}
    exec(line, scope)
    assert scope["x"] == 1 and "_il" not in scope
    assert kernels.warm_lines("", ()) == ""
