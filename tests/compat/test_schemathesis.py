"""Every operation of the committed openapi/openapi.json, driven by Schemathesis against the running
gateway (valid token, a consumer connected to the sandbox): no answer may be a server error, and
every answer must match what the document declares for the operation (its status among those
declared, its content type, its body valid under the declared schema).

Its path parameters are pinned to the consumer and its connection (random ids would only meet 404s),
`folder_id` to the sandbox's society folder. Left out: `POST /token` (wrong secrets from this address
would lock it out of `/token` for the other tests) and the two `DELETE`s of the pinned consumer and
connection (the rest would then only meet 404s). Checks: `not_a_server_error`, with no exception for
502/504 (the sandbox is local and healthy, so an upstream error here is the gateway's own mistake),
`status_code_conformance`, `content_type_conformance` and `response_schema_conformance`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from conftest import REPO, Gateway, access_token

# Cases per operation and phase: the run stays within about two minutes on two cores. The coverage
# phase (some 6,000 cases, about four minutes) is left out for time.
MAX_EXAMPLES = 5
RUN_TIMEOUT_S = 600
SOCIETY_FOLDER = "4821"


def _connected_consumer(gateway: Gateway, token: str, api_token: str) -> tuple[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    consumer = requests.post(f"{gateway.url}/consumers", json={"name": "Schemathesis"}, headers=headers, timeout=10)
    consumer.raise_for_status()
    cid = consumer.json()["consumerid"]
    connection = requests.post(
        f"{gateway.url}/consumers/{cid}/connections",
        json={"name": "MyUnisoft", "credentials": [{"key": "api_token", "value": api_token}]},
        headers=headers,
        timeout=30,
    )
    connection.raise_for_status()
    listed = requests.get(f"{gateway.url}/consumers/{cid}/connections", headers=headers, timeout=10)
    listed.raise_for_status()
    return cid, listed.json()[0]["connectionid"]


def test_no_operation_answers_a_server_error(gateway: Gateway, sandbox_tokens: dict, tmp_path: Path) -> None:
    token = access_token(gateway)
    cid, conn = _connected_consumer(gateway, token, sandbox_tokens["society_port"])
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        f'"path.consumer_id" = "{cid}"\n'
        f'"path.connection_id" = "{conn}"\n'
        f'"path.connectionid" = "{conn}"\n'
        f'"query.folder_id" = "{SOCIETY_FOLDER}"\n'
    )
    st = Path(sys.executable).parent / "st"
    done = subprocess.run(
        [
            str(st), "--config-file", str(config), "run", str(REPO / "openapi" / "openapi.json"),
            "--url", gateway.url,
            "--header", f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples", str(MAX_EXAMPLES),
            "--phases", "examples,fuzzing,stateful",
            # Reads that reach MyUnisoft queue behind the rate governor (20 calls per 10 s per token).
            "--request-timeout", "60",
            "--exclude-path", "/token",
            "--exclude-operation-id", "consumers_delete_consumer",
            "--exclude-operation-id", "connections_delete_connection",
            "--generation-database", "none",
            "--seed", os.environ.get("SCHEMATHESIS_SEED", "1"),
            "--workers", "2",
            "--no-color",
        ],
        cwd=tmp_path,  # whatever it keeps between runs stays out of the repository
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    report = done.stdout + done.stderr
    Path(os.environ.get("SCHEMATHESIS_OUTPUT", tmp_path / "schemathesis.txt")).write_text(report)
    assert done.returncode == 0, report
    selected = re.search(r"Selected: (\d+)/\d+", report)
    tested = re.search(r"Tested: (\d+)", report)
    assert selected and tested and tested.group(1) == selected.group(1), report
