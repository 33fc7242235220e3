"""WebDriver end-to-end tests of the real desktop app (tauri-driver + WebKitWebDriver).

Run by scripts/test-e2e under Xvfb and a real keyring session. Each test leaves a screenshot in
$MUSTER_ARTIFACTS (default target/artifacts).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.options import ArgOptions
from urllib3.exceptions import ProtocolError

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_binary() -> str:
    path = os.environ.get("MUSTER_DESKTOP_BIN")
    if not path:
        target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
        path = str(Path(target) / "debug" / "muster-desktop")
    if not os.path.exists(path):
        raise RuntimeError(f"desktop binary not found at {path}: build it with `cargo build -p muster-desktop`")
    return path


def muster_binary() -> str:
    """The `muster` CLI (server, enrolment, login from the command line)."""
    path = os.environ.get("MUSTER_BIN")
    if not path:
        target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
        path = str(Path(target) / "debug" / "muster")
    if not os.path.exists(path):
        raise RuntimeError(f"muster binary not found at {path}: build it with `cargo build -p muster-cli`")
    return path


def artifacts() -> Path:
    d = Path(os.environ.get("MUSTER_ARTIFACTS", str(REPO / "target" / "artifacts")))
    d.mkdir(parents=True, exist_ok=True)
    return d


class Desktop:
    """One installation (data directory) and the tauri-driver serving sessions of the app on it."""

    def __init__(self, data_dir: Path, env: dict = None):
        self.data_dir = data_dir
        self.port = _free_port()
        env = dict(os.environ, MUSTER_HOME=str(data_dir), **(env or {}))
        log = open(data_dir / "tauri-driver.log", "wb")
        self.driver_proc = subprocess.Popen(
            ["tauri-driver", "--port", str(self.port), "--native-port", str(_free_port())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("tauri-driver did not start")
        self.session = None

    def start(self) -> webdriver.Remote:
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": app_binary()})
        last = None
        for _ in range(3):
            try:
                self.session = webdriver.Remote(command_executor=f"http://127.0.0.1:{self.port}", options=opts)
                return self.session
            # tauri-driver accepts connections before WebKitWebDriver is ready: the first request
            # may be dropped (a WebDriver error or a closed connection). Try again.
            except (WebDriverException, OSError, ProtocolError) as e:
                last = e
                time.sleep(1)
        raise RuntimeError(f"could not start the app: {last}")

    def stop(self) -> None:
        if self.session is not None:
            try:
                self.session.quit()
            except WebDriverException:
                pass
            self.session = None

    def close(self) -> None:
        self.stop()
        self.driver_proc.terminate()
        try:
            self.driver_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.driver_proc.kill()


@pytest.fixture(scope="module")
def desktop():
    data_dir = Path(tempfile.mkdtemp(prefix="muster-e2e-"))
    d = Desktop(data_dir)
    try:
        yield d
    finally:
        d.close()
        if os.environ.get("MUSTER_KEEP_E2E_DATA"):
            print(f"e2e data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def shot(request, desktop):
    """Saves a screenshot named after the test when it ends (pass or fail)."""
    yield
    if desktop.session is not None:
        name = request.node.name.replace("/", "_")
        try:
            desktop.session.save_screenshot(str(artifacts() / f"e2e-{name}.png"))
        except WebDriverException as e:
            print(f"screenshot failed: {e}")
