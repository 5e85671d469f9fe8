"""Pre-warmed report kernels: each kernel starts and imports the report modules once.

Starting an IPython kernel and importing pandas, Altair and the package costs about
3 s of CPU, more than most report notebooks take to run. :class:`KernelPool` starts
``size`` kernels as soon as a run begins (while the tables are still being built),
with those imports already done, and runs the notebooks of the run on them one after
another. Between two notebooks the kernel's namespace is cleared (``%reset -f``), so a
notebook sees only what it defines itself; imported modules stay loaded, which is
the point. A kernel whose notebook failed, or that died, is replaced by a new one.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from analysis import config

log = logging.getLogger(__name__)

WARM_IMPORTS = (
    "pandas", "numpy", "altair", "analysis.tables", "analysis.views", "analysis.display", "analysis.render",
    "analysis.thin", "analysis.profile", "analysis.stories", "analysis.findings", "analysis.charts.coverage",
    "analysis.charts.voices", "analysis.charts.voices_quotes", "analysis.charts.facts", "analysis.report",
)
"""Modules every report kernel imports when it starts."""

RESET_CODE = "%reset -f\nimport gc as _gc\n_gc.collect()\ndel _gc"
"""Run between two notebooks on one kernel: the user namespace is emptied, modules stay imported."""


def warm_lines(setup: str, imports: Sequence[str] = WARM_IMPORTS) -> str:
    """One line of code a report kernel runs at start: ``setup``, then the imports."""
    parts = [setup] if setup else []
    if imports:
        parts.append(f"import importlib as _il; [_il.import_module(_m) for _m in {tuple(imports)!r}]; del _il")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def _manager_class():
    from jupyter_client import KernelManager

    class TrackedKernelManager(KernelManager):
        """A kernel manager that remembers its clients, so their channels can be closed."""

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_analysis_clients", []).append(kc)
            return kc

        def stop_clients(self) -> None:
            for kc in self.__dict__.pop("_analysis_clients", []):
                with contextlib.suppress(Exception):
                    kc.stop_channels()

    return TrackedKernelManager


class KernelPool:
    """Kernels started ahead of use, handed out one notebook at a time.

    Args:
        size: Kernels kept running (the number of notebooks run at once).
        cwd: Working directory of the kernels (the run's staging folder).
        setup: Code each kernel runs first (see ``report.KERNEL_SETUP``).
        kernel_name: Kernel spec to start.

    The pool starts its kernels in background threads on creation; :meth:`acquire`
    waits for one. Use it as a context manager so every kernel is shut down.
    """

    def __init__(self, size: int, *, cwd: Path, setup: str = "", kernel_name: str = config.KERNEL_NAME,
                 warm_imports: Sequence[str] = WARM_IMPORTS):
        self.size = max(1, size)
        self.cwd = Path(cwd)
        self.kernel_name = kernel_name
        self.arguments = ["--IPKernelApp.log_level=CRITICAL",
                          f"--IPKernelApp.exec_lines={warm_lines(setup, tuple(warm_imports))}"]
        self._ready: queue.Queue = queue.Queue()
        self._all: list = []
        self._lock = threading.Lock()
        self._closed = False
        self.started = 0
        self.used: dict[int, int] = {}  # id(kernel manager) -> notebooks run on it
        for _ in range(self.size):
            self._start_async()

    def _start_async(self) -> None:
        threading.Thread(target=self._start_one, daemon=True).start()

    def _start_one(self) -> None:
        km = _manager_class()(kernel_name=self.kernel_name)
        try:
            km.start_kernel(cwd=str(self.cwd), extra_arguments=list(self.arguments))
        except Exception as exc:  # reported to the thread that waits for a kernel
            self._ready.put(exc)
            return
        with self._lock:
            self.started += 1
            self._all.append(km)
            if self._closed:
                km.shutdown_kernel(now=True)
                return
        self._ready.put(km)

    def acquire(self, *, timeout: float = 180.0):
        """A started kernel manager (waits for one to be ready).

        Raises:
            RuntimeError: when a kernel could not be started.
        """
        try:
            km = self._ready.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"no report kernel was ready after {timeout:.0f} s") from None
        if isinstance(km, Exception):
            raise RuntimeError(f"could not start a report kernel: {km}") from km
        return km

    def release(self, km, *, healthy: bool) -> None:
        """Give a kernel back after a notebook: reset and reused when ``healthy``, replaced otherwise."""
        self.used[id(km)] = self.used.get(id(km), 0) + 1
        km.stop_clients()  # the notebook's client (papermill leaves a borrowed kernel's client running)
        if healthy and km.is_alive() and self._reset(km):
            self._ready.put(km)
            return
        self._discard(km)
        if not self._closed:
            self._start_async()

    def _reset(self, km) -> bool:
        kc = km.client()
        try:
            kc.start_channels()
            kc.wait_for_ready(timeout=30)
            reply = kc.execute_interactive(RESET_CODE, store_history=False, timeout=60, output_hook=lambda m: None)
            return reply.get("content", {}).get("status") == "ok"
        except Exception as exc:
            log.debug("report kernel could not be reset: %s", exc)
            return False
        finally:
            kc.stop_channels()

    def _discard(self, km) -> None:
        km.stop_clients()
        try:
            km.shutdown_kernel(now=True)
        except Exception as exc:  # already gone
            log.debug("report kernel shutdown: %s", exc)

    def close(self) -> None:
        """Shut every kernel down."""
        with self._lock:
            self._closed = True
            kernels = list(self._all)
        for km in kernels:
            if km.has_kernel:
                self._discard(km)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
