"""`make lab`: the project's kernel, the JupyterLab command line, and the chart renderer for each context."""

import json
import re
import shutil
import subprocess
import sys

import altair as alt
import nbformat
import pytest

from analysis import config, lab, render


@pytest.fixture
def restore_renderer():
    active, options = alt.renderers.active, dict(alt.renderers.options)
    yield
    alt.renderers.enable(active, **options)


def test_install_kernel_names_the_project(tmp_path):
    spec_dir = lab.install_kernel(prefix=tmp_path)
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec_dir == tmp_path / "share" / "jupyter" / "kernels" / config.LAB_KERNEL_NAME
    assert spec["display_name"] == config.LAB_KERNEL_DISPLAY_NAME == "Tariff coverage (analysis)"
    assert spec["argv"][0] == sys.executable and "ipykernel_launcher" in spec["argv"]


@pytest.mark.parametrize("path", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_name_the_project_kernel(path):
    spec = nbformat.read(path, as_version=4).metadata["kernelspec"]
    assert (spec["name"], spec["display_name"]) == (config.LAB_KERNEL_NAME, config.LAB_KERNEL_DISPLAY_NAME)


def test_papermill_runs_use_a_kernel_every_environment_has():
    # Report and test runs name the interpreter's own kernel, so a fresh clone without
    # `make lab` (no project kernel installed) still runs every notebook.
    assert config.KERNEL_NAME == "python3"


@pytest.mark.parametrize(("root", "has_flag"), [(True, True), (False, False)])
def test_allow_root_only_as_root(root, has_flag):
    cmd = lab.lab_command(token="t", root=root)
    assert ("--allow-root" in cmd) is has_flag


def test_command_listens_on_loopback_on_a_fixed_port():
    cmd = lab.lab_command(port=9123, token="secret")
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--ServerApp.port=9123" in cmd
    assert "--ServerApp.port_retries=0" in cmd  # fail, rather than serve on a port nobody printed
    assert f"--notebook-dir={config.NOTEBOOKS_DIR}" in cmd
    assert "--IdentityProvider.token=secret" in cmd
    assert "--LabApp.news_url=" in cmd  # no news feed fetched


@pytest.mark.parametrize(("ip", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:8888/lab?token=abc"),
    ("0.0.0.0", "http://127.0.0.1:8888/lab?token=abc"),
    ("::1", "http://[::1]:8888/lab?token=abc"),
])
def test_printed_url(ip, expected):
    assert lab.lab_url(ip=ip, port=8888, token="abc") == expected


@pytest.mark.skipif(not shutil.which("make"), reason="no make")
def test_make_lab_takes_port():
    out = subprocess.run(["make", "-n", "lab", "PORT=9321"],
                         cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    line = next(x for x in out.splitlines() if "analysis.lab" in x and "--install-kernel" not in x)
    assert re.search(r"-m analysis\.lab --port 9321\b", line)


@pytest.mark.parametrize(("env", "expected"), [("report", "report"), ("notebook", "notebook"), ("plain", "plain"),
                                               ("", "plain")])
def test_chart_context(monkeypatch, env, expected):
    monkeypatch.setenv(render.RENDER_ENV, env)
    assert render.chart_context() == expected  # pytest is not a Jupyter kernel: plain unless told


@pytest.mark.parametrize(("context", "renderer"), [("report", "analysis_report"), ("notebook", "jupyter"),
                                                   ("plain", "default")])
def test_one_function_picks_the_renderer(restore_renderer, context, renderer):
    assert render.enable_chart_renderer(context) == renderer
    assert alt.renderers.active == renderer


def test_notebook_renderer_is_offline_and_draws_svg(restore_renderer):
    render.enable_chart_renderer("notebook")
    assert alt.renderers.options["offline"] is True
    assert alt.renderers.options["embed_options"]["renderer"] == "svg"
    assert alt.renderers.options["embed_options"]["actions"]["editor"] is False  # the editor is a web site


@pytest.mark.slow
def test_notebook_chart_javascript_is_bundled_not_fetched(restore_renderer):
    render.enable_chart_renderer("notebook")
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q")
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle
    esm = alt.JupyterChart._esm
    assert len(esm) > 100_000  # Vega, Vega-Lite and Vega-Embed are inside
    assert not re.search(r"""(import|from)\s*\(?\s*["']https?://""", esm)
