"""The committed event catalogue (docs/asyncapi.yaml, docs/events/) against the code:
no drift, every subscription backed by an event the catalogue describes, every event's
real wire form valid against its schema, the document valid AsyncAPI 3.0."""

import functools
import importlib
import inspect
import json
import uuid
from pathlib import Path
from typing import Any, get_type_hints

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from typer.testing import CliRunner

from logistics_platform.entrypoints import catalogue
from logistics_platform.entrypoints.cli import app
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure.messaging.asyncapi import asyncapi_document

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
OFFICIAL_SCHEMA = ROOT / "tests" / "schemas" / "asyncapi-3.0.0.json"
EVENTS = catalogue.event_classes()
SUBSCRIPTIONS = sorted(
    (subscriber, event)
    for subscriber, events in catalogue.subscriptions().items()
    for event in events
)


def committed_document() -> dict[str, Any]:
    return yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))


@functools.cache
def committed_schema(name: str) -> dict[str, Any]:
    return json.loads((DOCS / "events" / f"{name}.schema.json").read_text(encoding="utf-8"))


# (a) drift


def test_the_committed_catalogue_is_what_the_code_generates() -> None:
    assert catalogue.drift(DOCS) == [], "run `logistics events catalogue` and commit"


def test_every_event_class_of_every_context_is_in_the_catalogue() -> None:
    declared = {
        event.EVENT_NAME
        for context in ("inventory", "logistics", "backoffice")
        for _, event in inspect.getmembers(
            importlib.import_module(f"logistics_platform.{context}.domain.events"),
            lambda member: isinstance(member, type) and "EVENT_NAME" in member.__dict__,
        )
    }
    assert {"inventory.stock_item.reserved", "logistics.package.registered"} <= declared
    assert {event.EVENT_NAME for event in EVENTS} == declared


def test_a_changed_missing_or_stale_file_is_drift(tmp_path: Path) -> None:
    catalogue.write(tmp_path)
    assert catalogue.drift(tmp_path) == []
    reserved = tmp_path / "events" / "inventory.stock_item.reserved.schema.json"
    reserved.write_text(reserved.read_text().replace('"integer"', '"number"'))
    (tmp_path / "asyncapi.yaml").unlink()
    (tmp_path / "events" / "inventory.stock_item.vanished.schema.json").write_text("{}")

    found = catalogue.drift(tmp_path)

    assert len(found) == 3
    assert any("vanished.schema.json: no event of the code" in line for line in found)
    assert any(line.endswith("asyncapi.yaml: missing") for line in found)
    (diff,) = (line for line in found if "reserved.schema.json (committed)" in line)
    assert '-      "type": "number"' in diff
    assert '+      "type": "integer"' in diff


def test_the_command_writes_the_catalogue_and_check_fails_on_drift(tmp_path: Path) -> None:
    runner = CliRunner()
    check = ["events", "catalogue", "--check", "--docs", str(tmp_path)]
    missing = runner.invoke(app, check)
    assert missing.exit_code == 1
    assert "differs from the code" in missing.output

    written = runner.invoke(app, ["events", "catalogue", "--docs", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert runner.invoke(app, check).exit_code == 0

    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 2.6.0\n")
    drifted = runner.invoke(app, check)
    assert drifted.exit_code == 1
    assert "+asyncapi: 3.0.0" in drifted.output


# (b) consumers


@pytest.mark.parametrize(("subscriber", "event"), SUBSCRIPTIONS, ids=lambda x: x)
def test_every_event_a_subscriber_follows_is_in_the_committed_catalogue(
    subscriber: str, event: str
) -> None:
    document = committed_document()
    assert (DOCS / "events" / f"{event}.schema.json").is_file()
    assert document["channels"][event]["address"] == event
    receive = document["operations"][f"receive.{subscriber}.{event}"]
    assert receive["action"] == "receive"
    assert receive["channel"] == {"$ref": f"#/channels/{event}"}


def test_a_subscriber_of_an_event_no_class_declares_fails_the_generation() -> None:
    with pytest.raises(ValueError, match=r"logistics.oops → inventory.stock_item.vanished"):
        asyncapi_document(
            EVENTS,
            {"logistics.oops": frozenset({"inventory.stock_item.vanished"})},
            exchange="domain_events",
            version="0",
        )


# (c) the real wire form against the schemas


def instances_of(event: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    hints = get_type_hints(event)
    fields = {f.name: st.from_type(hints[f.name]) for f in event.attribute_fields().values()}
    return st.builds(event, aggregate_id=st.uuids().map(str), **fields)


ANY_EVENT = st.sampled_from(EVENTS).flatmap(instances_of)


@given(ANY_EVENT)
def test_every_event_sends_attributes_its_schema_accepts(event: DomainEvent) -> None:
    Draft202012Validator(committed_schema(event.EVENT_NAME)).validate(event.to_primitives())


@settings(deadline=None)  # an event's first example parses the document for its validator
@given(ANY_EVENT, st.none() | st.uuids().map(str))
def test_every_envelope_is_valid_against_the_envelope_and_its_asyncapi_message(
    event: DomainEvent, causation: str | None
) -> None:
    envelope = EventEnvelope.wrap(event, correlation_id=str(uuid.uuid4()), causation_id=causation)
    sent = json.loads(envelope.to_json())
    Draft202012Validator(committed_schema("envelope")).validate(sent)
    message_payload(event.EVENT_NAME).validate(sent)


def test_a_message_refuses_another_events_envelope() -> None:
    wrong = {
        "data": {
            "id": str(uuid.uuid4()),
            "type": "logistics.package.registered",
            "occurredOn": "2026-01-01T12:00:00.000000Z",
            "aggregateId": "p-1",
            "attributes": {"id": "p-1", "trackingNumber": "AB12CD34EF"},
        },
        "meta": {"correlationId": "c", "causationId": None},
    }
    assert not message_payload("inventory.stock_item.reserved").is_valid(wrong)
    # ...and its own message refuses it too: reservationId is missing.
    assert not message_payload("logistics.package.registered").is_valid(wrong)


@functools.cache  # validators only read the document: parse it once per message
def message_payload(name: str) -> Draft7Validator:
    """A validator of the AsyncAPI document's message ``name`` (its refs resolved in it)."""
    document = Resource.from_contents(committed_document(), default_specification=DRAFT7)
    registry: Registry[Any] = Registry().with_resource("urn:asyncapi", document)
    reference = {"$ref": f"urn:asyncapi#/components/messages/{name}/payload"}
    return Draft7Validator(reference, registry=registry)


# (d) the document itself


def test_the_document_is_valid_asyncapi_3() -> None:
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator(official).validate(committed_document())


def test_the_official_schema_would_notice_a_broken_document() -> None:
    official = Draft7Validator(json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8")))
    broken = committed_document()
    broken["operations"]["send.logistics.package.registered"]["action"] = "publish"
    assert not official.is_valid(broken)


def test_every_reference_resolves_and_operations_use_their_channels_messages() -> None:
    document = committed_document()
    for reference in references_in(document):
        assert resolve(document, reference) is not None, reference
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel}/messages/"), name


def references_in(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in references_in(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references_in(value)]
    return []


def resolve(document: dict[str, Any], reference: str) -> object:
    node: Any = document
    for part in reference.removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node
