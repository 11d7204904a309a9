"""Consumers, connections and authentication as seen through Chift's own Python SDK (chift 0.6.17).

Everything goes through the SDK's public entry points configured by module settings, exactly as a
Chift customer's code would. `chift.Consumer` has no `update` in 0.6.17, so the consumer PATCH goes
through the SDK's low-level `ChiftClient.update_one`, which is what such code has to use too.
"""

from __future__ import annotations

import json
import secrets
import uuid

import pytest
from chift.api.client import ChiftClient
from chift.api.exceptions import ChiftException
from chift.openapi.models import Consumer as ConsumerModel


def consumer_fields() -> dict:
    tag = secrets.token_hex(4)
    return {
        "name": f"Boulangerie Martin {tag}",
        "internal_reference": f"cust-{tag}",
        "email": f"compta+{tag}@example.com",
    }


# ---- consumers ------------------------------------------------------------------------------------


def test_create_returns_the_new_consumer_with_the_fields_sent(sdk):
    sent = consumer_fields()

    created = sdk.Consumer.create(sent)

    assert isinstance(created.consumerid, uuid.UUID)
    assert created.name == sent["name"]
    assert created.internal_reference == sent["internal_reference"]
    assert created.email == sent["email"]


def test_two_creates_give_two_distinct_consumers(sdk):
    first = sdk.Consumer.create(consumer_fields())
    second = sdk.Consumer.create(consumer_fields())

    assert first.consumerid != second.consumerid


def test_get_returns_the_consumer_as_created(sdk):
    sent = consumer_fields()
    created = sdk.Consumer.create(sent)

    fetched = sdk.Consumer.get(str(created.consumerid))

    assert fetched.consumerid == created.consumerid
    assert fetched.name == sent["name"]
    assert fetched.internal_reference == sent["internal_reference"]
    assert fetched.email == sent["email"]


def test_all_lists_the_created_consumers(sdk):
    a = sdk.Consumer.create(consumer_fields())
    b = sdk.Consumer.create(consumer_fields())

    listed = {c.consumerid: c for c in sdk.Consumer.all()}

    assert a.consumerid in listed and b.consumerid in listed
    assert listed[a.consumerid].name == a.name
    assert listed[b.consumerid].internal_reference == b.internal_reference


def test_update_changes_the_name_and_keeps_the_other_fields(sdk):
    sent = consumer_fields()
    created = sdk.Consumer.create(sent)
    cid = str(created.consumerid)

    answer = ChiftClient().update_one("consumers", None, cid, {"name": "Boulangerie Martin & Fils"})

    assert ConsumerModel(**answer).name == "Boulangerie Martin & Fils"
    after = sdk.Consumer.get(cid)
    assert after.name == "Boulangerie Martin & Fils"
    assert after.email == sent["email"]
    assert after.internal_reference == sent["internal_reference"]


# ---- connections ----------------------------------------------------------------------------------


def test_the_sdk_lists_myunisoft_among_the_integrations(sdk):
    integrations = sdk.Integration.all()

    myunisoft = [i for i in integrations if i.name == "MyUnisoft"]
    assert len(myunisoft) == 1
    assert myunisoft[0].api.value == "Accounting"
    assert "api_token" in {c.name for c in myunisoft[0].credentials}


def test_myunisoft_integration_asks_for_an_api_token(myunisoft_integration):
    assert isinstance(myunisoft_integration["integrationid"], int)
    assert myunisoft_integration["api"] == "Accounting"
    assert "api_token" in {c["name"] for c in myunisoft_integration["credentials"]}


def test_a_created_connection_is_listed_active_without_its_token(sdk, myunisoft_integration, sandbox_tokens):
    consumer = sdk.Consumer.create(consumer_fields())
    cid = str(consumer.consumerid)
    api_token = sandbox_tokens["society_port"]

    link = consumer.Connection.create(
        {
            "integrationid": myunisoft_integration["integrationid"],
            "name": "MyUnisoft production",
            "credentials": [{"key": "api_token", "value": api_token}],
        }
    )

    assert isinstance(link.url, str) and link.url
    assert api_token not in link.model_dump_json()

    connections = sdk.Consumer.get(cid).Connection.all()
    assert len(connections) == 1
    conn = connections[0]
    assert isinstance(conn.connectionid, uuid.UUID)
    assert conn.status.value == "active"
    assert conn.integration == "MyUnisoft"
    assert conn.integrationid == myunisoft_integration["integrationid"]
    assert conn.api == "Accounting"
    assert conn.name == "MyUnisoft production"

    # The SDK keeps unknown keys, so a leaked credential would show up in the model dump; the raw
    # JSON of the list and of the single connection is checked as well.
    raw = ChiftClient(consumer_id=cid)
    assert api_token not in conn.model_dump_json()
    assert api_token not in json.dumps(raw.get_all("connections", None))
    assert api_token not in json.dumps(raw.get_one("connections", None, str(conn.connectionid)))


def test_a_token_myunisoft_refuses_is_a_connector_authentication_error(sdk, sandbox_tokens):
    consumer = sdk.Consumer.create(consumer_fields())
    with pytest.raises(ChiftException) as raised:
        consumer.Connection.create({"credentials": [{"key": "api_token", "value": sandbox_tokens["revoked"]}]})
    assert raised.value.error_code == "ERROR_CONNECTOR_AUTHENTICATION"
    assert consumer.Connection.all() == []


def test_connections_belong_to_their_consumer(sdk, myunisoft_integration, sandbox_tokens):
    with_connection = sdk.Consumer.create(consumer_fields())
    without = sdk.Consumer.create(consumer_fields())
    with_connection.Connection.create(
        {
            "integrationid": myunisoft_integration["integrationid"],
            "name": "MyUnisoft",
            "credentials": [{"key": "api_token", "value": sandbox_tokens["firm"]}],
        }
    )

    assert len(with_connection.Connection.all()) == 1
    assert without.Connection.all() == []


def test_a_deleted_connection_is_no_longer_listed(sdk, myunisoft_integration, sandbox_tokens):
    consumer = sdk.Consumer.create(consumer_fields())
    consumer.Connection.create(
        {
            "integrationid": myunisoft_integration["integrationid"],
            "name": "MyUnisoft",
            "credentials": [{"key": "api_token", "value": sandbox_tokens["firm"]}],
        }
    )
    (conn,) = consumer.Connection.all()

    assert consumer.Connection.delete(str(conn.connectionid)) is True  # the SDK's answer to a 204

    assert consumer.Connection.all() == []


# ---- authentication, tenancy and errors ------------------------------------------------------------


def test_a_wrong_client_secret_is_refused(sdk, monkeypatch):
    sdk.Consumer.all()  # the right secret works

    monkeypatch.setattr(sdk, "client_secret", "not-the-secret")

    with pytest.raises(ChiftException) as refused:
        sdk.Consumer.all()
    assert "Error while authenticating '401'" in refused.value.message


def test_another_account_cannot_see_or_read_our_consumers(sdk, gateway, use_account):
    ours = sdk.Consumer.create(consumer_fields())

    use_account(gateway.other_account)

    assert ours.consumerid not in {c.consumerid for c in sdk.Consumer.all()}
    with pytest.raises(ChiftException) as hidden:
        sdk.Consumer.get(str(ours.consumerid))
    assert hidden.value.error_code


def test_getting_an_unknown_consumer_raises_a_chift_error(sdk):
    with pytest.raises(ChiftException) as missing:
        sdk.Consumer.get(str(uuid.uuid4()))

    # A non-empty error_code means the body was Chift-shaped ({"status": "error", ...}); a bare
    # framework 404 would leave it empty.
    assert missing.value.error_code
    assert missing.value.message
