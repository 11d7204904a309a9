"""Passerelle through a Python client generated from the committed `openapi/openapi.json`.

openapi-python-client (pinned in requirements.txt) writes the client into a temporary directory
before the first test, offline and with `--fail-on-warning`: an operation or a schema it cannot
read fails the module. Every call then goes through the generated functions, and every answer is
parsed by the generated models, errors (`ErrorBody` and its `detail`) included.
"""

from __future__ import annotations

import importlib
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytest.importorskip(
    "openapi_python_client",
    reason="openapi-python-client is not installed (pip install -r tests/compat/requirements.txt)",
)

COMPAT = Path(__file__).resolve().parent
DOCUMENT = COMPAT.parents[1] / "openapi" / "openapi.json"
CONFIG = COMPAT / "openapi-python-client.yaml"
PACKAGE = "passerelle_client"
PORT = "4821"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The `passerelle_client` package generated from openapi/openapi.json, importable."""
    root = tmp_path_factory.mktemp("generated")
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(DOCUMENT),
         "--config", str(CONFIG), "--meta", "none", "--output-path", str(root / PACKAGE),
         "--fail-on-warning"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"openapi-python-client did not accept {DOCUMENT}:\n{done.stdout}{done.stderr}", pytrace=False)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


@pytest.fixture(scope="module")
def client(generated, gateway):
    """An authenticated generated client, its token got through the generated `POST /token`."""
    from passerelle_client.api.token import generate_access_token_token_post
    from passerelle_client.models import AuthItem, Token

    account = gateway.account
    with generated.Client(base_url=gateway.url, raise_on_unexpected_status=True) as anonymous:
        token = generate_access_token_token_post.sync(
            client=anonymous,
            body=AuthItem(
                account_id=uuid.UUID(account.account_id),
                client_id=account.client_id,
                client_secret=account.client_secret,
            ),
        )
    assert isinstance(token, Token), token
    assert token.token_type == "bearer" and token.expires_in > 0
    with generated.AuthenticatedClient(
        base_url=gateway.url, token=token.access_token, raise_on_unexpected_status=True
    ) as authenticated:
        yield authenticated


def new_consumer(client):
    from passerelle_client.api.consumers import consumers_create_consumer
    from passerelle_client.models import ConsumerItem, PostConsumerItem

    name = f"Boulangerie Martin {secrets.token_hex(4)}"
    created = consumers_create_consumer.sync(client=client, body=PostConsumerItem(name=name))
    assert isinstance(created, ConsumerItem), created
    assert created.name == name
    return created


def test_consumers_created_are_listed(client):
    from passerelle_client.api.consumers import consumers_get_consumers

    first, second = new_consumer(client), new_consumer(client)

    listed = consumers_get_consumers.sync(client=client)

    assert isinstance(listed, list), listed
    assert {first.consumerid, second.consumerid} <= {c.consumerid for c in listed}


def test_a_page_of_the_chart_through_a_connected_consumer(client, sandbox_tokens):
    from passerelle_client.api.accounting import accounting_get_chart_of_accounts
    from passerelle_client.api.connections import connections_create_connection
    from passerelle_client.models import (
        AccountTypeFilter,
        CredentialItem,
        LinkItem,
        PageLedgerAccount,
        PostConnectionItem,
    )

    consumer = new_consumer(client)
    link = connections_create_connection.sync(
        consumer.consumerid,
        client=client,
        body=PostConnectionItem(credentials=[CredentialItem(key="api_token", value=sandbox_tokens["firm"])]),
    )
    assert isinstance(link, LinkItem), link

    page = accounting_get_chart_of_accounts.sync(
        consumer.consumerid, client=client, folder_id=PORT, type_=AccountTypeFilter.BANK, size=100
    )

    assert isinstance(page, PageLedgerAccount), page
    assert page.page == 1 and page.size == 100
    assert page.total == len(page.items) > 0
    assert "512000" in [a.number for a in page.items]


def test_an_unknown_consumer_is_an_error_body_with_a_text_detail(client):
    from passerelle_client.api.consumers import consumers_get_consumer
    from passerelle_client.models import ErrorBody, ErrorCode

    error = consumers_get_consumer.sync(uuid.uuid4(), client=client)

    assert isinstance(error, ErrorBody), error
    assert error.status == "error"
    assert error.error_code is ErrorCode.ERROR_RESOURCE_NOT_FOUND
    assert "does not exist" in error.message
    assert isinstance(error.detail, str)


def test_an_invalid_body_is_an_error_body_with_validation_errors(client):
    from passerelle_client.api.consumers import consumers_create_consumer
    from passerelle_client.models import ErrorBody, ErrorCode, PostConsumerItem, ValidationError

    response = consumers_create_consumer.sync_detailed(client=client, body=PostConsumerItem(name=""))

    assert response.status_code == 422
    error = response.parsed
    assert isinstance(error, ErrorBody), error
    assert error.error_code is ErrorCode.ERROR_INVALID_BODY
    assert isinstance(error.detail, list) and len(error.detail) == 1
    (item,) = error.detail
    assert isinstance(item, ValidationError), item
    assert item.loc == ["body", "name"]
    assert item.msg and item.type_ == "value_error"
