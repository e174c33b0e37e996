"""Debian's chromium for the report tests: found, installed when missing (apt-get), or skipped with the reason."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL_TIMEOUT_S = 600
LOAD_TIMEOUT_S = 60
INSTALL_LOCK = "/tmp/connector-tests-chromium.lock"
BROWSER_NAMES = ("chromium", "chromium-browser")
# No network at view time: every host resolves to nothing, so any remote load shows as a console error.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND"


def _find() -> str | None:
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


def chromium() -> str:
    """The chromium binary; apt-get installs it when missing (as root); skips (fails under CI) when impossible."""
    path = _find()
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        with open(INSTALL_LOCK, "w") as lock:          # the xdist workers must not run apt-get side by side
            fcntl.flock(lock, fcntl.LOCK_EX)
            for cmd in ([] if _find() else (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"])):
                subprocess.run(cmd, capture_output=True, timeout=INSTALL_TIMEOUT_S,
                               env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        path = _find()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed and could not be installed (apt-get install chromium)")
        pytest.skip("chromium is not installed and could not be installed: the browser checks of the report did not run")
    return path


def _run(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           f"--user-data-dir={tmp}", OFFLINE, *args], capture_output=True, text=True,
                          timeout=LOAD_TIMEOUT_S)


def load(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """The DOM after the page loaded, and every console message it logged (errors included)."""
    result = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.resolve().as_uri()], tmp)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def screenshot(page: Path, png: Path, tmp: Path, size: str = "1000,2600") -> Path:
    _run([f"--screenshot={png}", f"--window-size={size}", "--hide-scrollbars", page.resolve().as_uri()], tmp)
    return png
