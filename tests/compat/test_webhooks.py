"""Webhooks through Chift's own Python SDK (chift 0.6.17): `chift.WebhookType.all`,
`chift.Webhook(None, None).create` (an instance method in
0.6.17), `chift.Webhook.get` and `.all`, unmodified, against the gateway."""

from __future__ import annotations

import secrets
import uuid

import pytest
from chift.api.exceptions import ChiftException


def test_webhook_types_list_chifts_events_and_the_accounting_record_events(sdk):
    events = {t.event for t in sdk.WebhookType.all()}

    assert "account.connection.created" in events
    assert "account.issue.created" in events
    assert "accounting.client.created" in events
    assert "accounting.invoice.updated" in events


def test_a_created_webhook_is_got_and_listed_without_its_secret(sdk):
    url = f"http://127.0.0.1:9/hooks/{secrets.token_hex(4)}"

    created = sdk.Webhook(None, None).create(
        {"event": "account.connection.created", "url": url, "signingsecret": "s3cret-value"}
    )

    assert isinstance(created.webhookid, uuid.UUID)
    assert created.url == url
    assert created.status.value == "active"
    assert "s3cret-value" not in created.model_dump_json()
    got = sdk.Webhook.get(str(created.webhookid))
    assert got.webhookid == created.webhookid
    assert got.event == "account.connection.created"
    assert created.webhookid in [w.webhookid for w in sdk.Webhook.all()]


def test_an_unknown_event_is_refused(sdk):
    with pytest.raises(ChiftException) as refused:
        sdk.Webhook(None, None).create({"event": "account.nothing", "url": "http://127.0.0.1:9/x"})

    assert "event" in str(refused.value.message) or "event" in str(refused.value.detail)
