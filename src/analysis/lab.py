"""JupyterLab on the project's notebooks with the project's kernel: what ``make lab`` runs.

``python -m analysis.lab [--port 8888] [--ip 127.0.0.1]`` installs the kernel
"Tariff coverage (analysis)" into this environment, prints the URL to open, and
replaces itself with JupyterLab: listening on loopback by default, with a fixed port
(it fails rather than move to another one), ``--allow-root`` when run as root, and
no news or update checks (nothing is fetched from the network).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from analysis import config

DEFAULT_PORT = 8888
DEFAULT_IP = "127.0.0.1"


def install_kernel(*, prefix: str | Path | None = None) -> Path:
    """Install the project's kernel (this interpreter) under ``prefix``/share/jupyter/kernels.

    Args:
        prefix: Environment prefix; the running environment's by default.

    Returns:
        The folder of the installed kernel spec.
    """
    from ipykernel.kernelspec import install

    path = install(kernel_name=config.LAB_KERNEL_NAME, display_name=config.LAB_KERNEL_DISPLAY_NAME,
                   prefix=str(prefix or sys.prefix))
    return Path(path)


def is_root() -> bool:
    """True when running as root (the normal user in a container)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_url(*, ip: str, port: int, token: str) -> str:
    """The URL to open: loopback when listening on every interface."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "", "*") else ip
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/lab?token={token}"


def lab_command(*, port: int = DEFAULT_PORT, ip: str = DEFAULT_IP, token: str,
                notebook_dir: str | Path | None = None, root: bool | None = None,
                open_browser: bool = False) -> list[str]:
    """The JupyterLab command line ``make lab`` runs.

    Args:
        port: Port to listen on; JupyterLab fails instead of trying another.
        ip: Interface to listen on (loopback by default).
        token: Access token (part of the printed URL).
        notebook_dir: Folder shown in JupyterLab; the project's ``notebooks/`` by default.
        root: Pass ``--allow-root``; by default when running as root.
        open_browser: Ask JupyterLab to open a browser.
    """
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--notebook-dir={Path(notebook_dir or config.NOTEBOOKS_DIR)}",
        f"--ServerApp.ip={ip}", f"--ServerApp.port={int(port)}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.open_browser=" + ("True" if open_browser else "False"),
    ]
    if is_root() if root is None else root:
        argv.append("--allow-root")
    return argv


def _has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    """Install the kernel, print the URL and run JupyterLab in this process."""
    parser = argparse.ArgumentParser(prog="python -m analysis.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT),
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--ip", default=DEFAULT_IP, help=f"interface to listen on (default {DEFAULT_IP})")
    parser.add_argument("--notebook-dir", default=str(config.NOTEBOOKS_DIR), help="folder to open")
    parser.add_argument("--kernel-prefix", default=sys.prefix,
                        help="environment to install the kernel into (default: this one)")
    parser.add_argument("--install-kernel", action="store_true", help="only install the kernel, then exit")
    args = parser.parse_args(argv)
    spec = install_kernel(prefix=args.kernel_prefix)
    print(f"Installed the kernel '{config.LAB_KERNEL_DISPLAY_NAME}' ({config.LAB_KERNEL_NAME}) in {spec}",
          flush=True)
    if args.install_kernel:
        return 0
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    cmd = lab_command(port=args.port, ip=args.ip, token=token, notebook_dir=args.notebook_dir,
                      open_browser=_has_display())
    print(f"JupyterLab: {lab_url(ip=args.ip, port=args.port, token=token)}", flush=True)
    print("Open that URL in a browser; press Ctrl-C twice here to stop.", flush=True)
    os.execv(cmd[0], cmd)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
