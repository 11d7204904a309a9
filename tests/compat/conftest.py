"""Run the real `passerelle` binary once per test session and point Chift's Python SDK at it.

The gateway gets a database of its own: a fresh PostgreSQL database created next to the one named by a
`postgres://` DATABASE_URL (dropped at the end), or else an SQLite file in a temporary directory.
Two API accounts are created with `passerelle account create` before `passerelle serve` starts.

Environment:
  PASSERELLE_BIN   path of the binary (default: <repo>/target/debug/passerelle)
  DATABASE_URL     optional postgres:// URL of a server where a scratch database may be created
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import chift
import pytest
import requests
from chift.api.client import ChiftClient

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
CLI_TIMEOUT_S = 120.0

# Path of the running gateway's stderr, shown in the terminal summary when a test failed.
_gateway_stderr: Path | None = None


@dataclass(frozen=True)
class Account:
    account_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Gateway:
    url: str
    account: Account
    other_account: Account
    # The gateway's own database (sqlite:// or postgres://), for tests that age a record.
    database_url: str


def _binary() -> Path:
    raw = os.environ.get("PASSERELLE_BIN")
    path = Path(raw) if raw else REPO / "target" / "debug" / "passerelle"
    path = path.resolve()
    if not path.is_file():
        pytest.fail(
            f"passerelle binary not found at {path}: run `cargo build` or set PASSERELLE_BIN",
            pytrace=False,
        )
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(url: str, sql: str) -> None:
    done = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.fail(f"psql failed ({sql}):\n{done.stderr}", pytrace=False)


@contextmanager
def _scratch_database(tmp: Path) -> Iterator[str]:
    """Yield the DATABASE_URL the gateway must use, and clean up after it."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield f"sqlite://{tmp}/passerelle.db"
        return
    name = f"compat_{secrets.token_hex(6)}"
    _psql(server, f"CREATE DATABASE {name}")
    try:
        yield urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _create_account(binary: Path, env: dict[str, str], cwd: Path, name: str) -> Account:
    done = subprocess.run(
        [str(binary), "account", "create", "--name", name],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`passerelle account create` exited with {done.returncode}:\n{done.stderr}",
            pytrace=False,
        )
    try:
        printed = json.loads(done.stdout)  # the whole of stdout must be one JSON object
    except json.JSONDecodeError as e:
        pytest.fail(
            f"`passerelle account create` did not print one JSON object ({e}):\n{done.stdout}",
            pytrace=False,
        )
    return Account(
        account_id=printed["accountId"],
        client_id=printed["clientId"],
        client_secret=printed["clientSecret"],
    )


def _wait_until_ready(proc: subprocess.Popen, base_url: str, stderr_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer"
    while True:
        if proc.poll() is not None:
            pytest.fail(
                f"`passerelle serve` exited with {proc.returncode} before becoming ready:\n"
                f"{stderr_path.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            res = requests.get(f"{base_url}/health/ready", timeout=1)
            if res.status_code == 200:
                return
            last = f"{res.status_code} {res.text[:200]}"
        except requests.RequestException as e:
            last = type(e).__name__
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(
                f"GET /health/ready not 200 after {READY_TIMEOUT_S:.0f} s (last: {last}):\n"
                f"{stderr_path.read_text(errors='replace')}",
                pytrace=False,
            )
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class MyUnisoftSandbox:
    base_url: str
    partner_secret: str
    tokens: dict


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MyUnisoftSandbox]:
    """`passerelle sandbox`, the MyUnisoft simulator, in its own process."""
    binary = _binary()
    tmp = tmp_path_factory.mktemp("sandbox")
    port = _free_port()
    with open(tmp / "sandbox.log", "wb") as log:
        proc = subprocess.Popen(
            [str(binary), "sandbox", "--listen", f"127.0.0.1:{port}"], cwd=tmp, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                res = requests.get(f"http://127.0.0.1:{port}/_sandbox/tokens", timeout=1)
                if res.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`passerelle sandbox` did not start:\n{(tmp / 'sandbox.log').read_text()}", pytrace=False)
            time.sleep(0.1)
        listing = res.json()
        yield MyUnisoftSandbox(
            base_url=f"http://127.0.0.1:{port}/api/v1",
            partner_secret=listing["partner_secret"],
            tokens={t["name"].lower(): t["token"] for t in listing["tokens"]},
        )
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def sandbox_tokens(sandbox: MyUnisoftSandbox) -> dict:
    """The sandbox's API tokens by name: firm, society_port, society_garage, revoked."""
    return sandbox.tokens


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory, sandbox: MyUnisoftSandbox) -> Iterator[Gateway]:
    global _gateway_stderr
    binary = _binary()
    tmp = tmp_path_factory.mktemp("passerelle")
    port = _free_port()

    with _scratch_database(tmp) as database_url:
        env = {
            **os.environ,
            "PASSERELLE_LISTEN": f"127.0.0.1:{port}",
            "PASSERELLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "PASSERELLE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "PASSERELLE_JWT_SECRET": secrets.token_urlsafe(36),  # 48 url-safe characters
            "PASSERELLE_DATA_DIR": str(tmp / "data"),
            "MYUNISOFT_THIRD_PARTY_SECRET": sandbox.partner_secret,
            "MYUNISOFT_BASE_URL": sandbox.base_url,
            # Webhooks in the tests point at 127.0.0.1 over http.
            "PASSERELLE_WEBHOOK_ALLOW_PRIVATE": "true",
            "NO_COLOR": "1",  # the log goes to a file
        }
        account = _create_account(binary, env, tmp, "compat")
        other_account = _create_account(binary, env, tmp, "compat-other")

        stderr_path = tmp / "serve.stderr"
        with open(tmp / "serve.stdout", "wb") as out, open(stderr_path, "wb") as err:
            proc = subprocess.Popen([str(binary), "serve"], env=env, cwd=tmp, stdout=out, stderr=err)
        _gateway_stderr = stderr_path
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_ready(proc, base_url, stderr_path)
            yield Gateway(url=base_url, account=account, other_account=other_account, database_url=database_url)
        finally:
            _stop(proc)


@pytest.fixture
def use_account(gateway: Gateway, monkeypatch: pytest.MonkeyPatch):
    """Configure the SDK the way its users do, with module-level settings (restored after the test)."""

    def configure(account: Account) -> None:
        monkeypatch.setattr(chift, "url_base", gateway.url)
        monkeypatch.setattr(chift, "client_id", account.client_id)
        monkeypatch.setattr(chift, "client_secret", account.client_secret)
        monkeypatch.setattr(chift, "account_id", account.account_id)

    return configure


@pytest.fixture
def sdk(gateway: Gateway, use_account):
    """The `chift` module configured for the main test account."""
    use_account(gateway.account)
    return chift


def access_token(gateway: Gateway) -> str:
    """An access token of the main test account, from POST /token."""
    account = gateway.account
    res = requests.post(
        f"{gateway.url}/token",
        json={"clientId": account.client_id, "clientSecret": account.client_secret, "accountId": account.account_id},
        timeout=10,
    )
    res.raise_for_status()
    return res.json()["access_token"]


@pytest.fixture(scope="module")
def api(gateway: Gateway) -> requests.Session:
    """An HTTP session authenticated as the test account."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {access_token(gateway)}"
    return session


@pytest.fixture
def connected_consumer(sdk, sandbox_tokens):
    """Makes a consumer of the main test account, named `name` and a random suffix, connected with
    the sandbox's token `token_name` (firm, society_port, society_garage)."""

    def connect(token_name: str, name: str = "Cabinet"):
        consumer = sdk.Consumer.create({"name": f"{name} {secrets.token_hex(3)}"})
        consumer.Connection.create(
            {"name": "MyUnisoft", "credentials": [{"key": "api_token", "value": sandbox_tokens[token_name]}]}
        )
        return consumer

    return connect


@pytest.fixture(scope="session")
def myunisoft_integration(gateway: Gateway) -> dict:
    """The MyUnisoft entry of GET /integrations (no SDK model is applied to it here)."""
    client = ChiftClient(
        url_base=gateway.url,
        client_id=gateway.account.client_id,
        client_secret=gateway.account.client_secret,
        account_id=gateway.account.account_id,
    )
    integrations = client.get_all("integrations", None)
    assert isinstance(integrations, list), f"GET /integrations must be a bare array: {integrations!r}"
    found = [i for i in integrations if i.get("name") == "MyUnisoft"]
    assert len(found) == 1, f"expected one MyUnisoft integration in {integrations!r}"
    return found[0]


SHOWN_LOG_LINES = 200


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    failed = terminalreporter.stats.get("failed") or terminalreporter.stats.get("error")
    if not failed or _gateway_stderr is None or not _gateway_stderr.exists():
        return
    lines = _gateway_stderr.read_text(errors="replace").splitlines()
    skipped = len(lines) - SHOWN_LOG_LINES
    terminalreporter.section(f"passerelle serve stderr ({_gateway_stderr})")
    if skipped > 0:
        terminalreporter.write_line(f"... {skipped} earlier lines omitted")
    for line in lines[-SHOWN_LOG_LINES:] or ["(empty)"]:
        terminalreporter.write_line(line)
