import base64
import re
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_platform.backoffice.application.webhook_queries import (
    DeliverySummary,
    WebhookSummary,
)
from logistics_platform.backoffice.domain.webhook_deliveries import (
    Backoff,
    Delivery,
    DeliveryStatus,
    Outcome,
)
from logistics_platform.backoffice.domain.webhooks import (
    MAX_URL_LENGTH,
    SECRET_PATTERN,
    NetworkPolicy,
    Subscription,
    checked_secret,
    host_of,
    is_public,
    new_secret,
)
from logistics_platform.entrypoints.http.webhook_schemas import URL_PATTERN
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KNOWN = frozenset({"inventory.stock_item.reserved", "logistics.package.delivered"})


def a_delivery() -> Delivery:
    return Delivery.queue("sub-1", "event-1", "logistics.package.delivered", "{}", NOW)


@pytest.mark.parametrize("size", range(20, 70))
def test_the_secret_pattern_says_what_the_rule_does(size: int) -> None:
    secret = "whsec_" + base64.b64encode(bytes(range(size))).decode()
    assert bool(re.match(SECRET_PATTERN, secret)) is (24 <= size <= 64)
    if 24 <= size <= 64:
        assert checked_secret(secret) == secret


def test_a_generated_secret_is_whsec_and_24_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert new_secret() != secret
    assert checked_secret(secret) == secret


@pytest.mark.parametrize(
    "secret",
    ["plain", "whsec_", "whsec_not base64!", "whsec_" + base64.b64encode(b"x" * 23).decode()],
)
def test_a_secret_that_is_not_whsec_base64_of_24_to_64_bytes_is_refused(secret: str) -> None:
    with pytest.raises(InvalidArgument):
        checked_secret(secret)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "https://user:pass@example.com/hook",
        "https://user@example.com/hook",
        "https:///no-host",
        "https://example.com:99999/",
        "example.com/hook",
        "https://example.com/" + "a" * 2000,
        "https://example.com/a b",
        "https://exa\x00mple.com/",
        "https://example.com/\r\nX-Injected: 1",
    ],
)
def test_only_http_urls_without_credentials_are_webhook_urls(url: str) -> None:
    with pytest.raises(InvalidArgument):
        host_of(url)


def test_the_host_of_a_webhook_url() -> None:
    assert host_of("https://Receiver.Example.com:8443/hooks?x=1") == "receiver.example.com"
    assert host_of("http://[::1]:80/") == "::1"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


def test_by_default_a_host_resolving_to_any_internal_address_is_refused() -> None:
    policy = NetworkPolicy()
    policy.check("example.com", ["93.184.216.34"])
    with pytest.raises(InvalidArgument, match=r"10\.0\.0\.7"):
        policy.check("rebinding.example", ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(InvalidArgument, match="does not resolve"):
        policy.check("nowhere.example", [])


def test_private_networks_or_named_hosts_may_be_allowed() -> None:
    NetworkPolicy(allow_private_networks=True).check("localhost", ["127.0.0.1"])
    allowed = NetworkPolicy(allowed_hosts=frozenset({"receiver.internal"}))
    allowed.check("Receiver.Internal", ["10.0.0.7"])
    with pytest.raises(InvalidArgument):
        allowed.check("other.internal", ["10.0.0.8"])


def test_a_subscription_follows_its_event_types_or_all_with_a_star() -> None:
    one = Subscription.create("https://a.example/h", ["logistics.package.delivered"], KNOWN, NOW)
    every = Subscription.create("https://a.example/h", ["*"], KNOWN, NOW)
    assert one.follows("logistics.package.delivered")
    assert not one.follows("inventory.stock_item.reserved")
    assert every.follows("inventory.stock_item.reserved")
    assert one.secret.startswith("whsec_")
    assert one.id != every.id


def test_a_subscription_to_an_unknown_event_or_to_none_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"logistics\.package\.teleported"):
        Subscription.create("https://a.example/h", ["logistics.package.teleported"], KNOWN, NOW)
    with pytest.raises(InvalidArgument):
        Subscription.create("https://a.example/h", [], KNOWN, NOW)


def test_a_subscription_keeps_the_secret_it_is_given() -> None:
    secret = new_secret()
    made = Subscription.create("https://a.example/h", ["*"], KNOWN, NOW, secret=secret)
    assert made.secret == secret


def test_a_webhook_as_the_api_reads_it_carries_no_secret() -> None:
    subscription = Subscription.create("https://a.example/h", ["*"], KNOWN, NOW)
    shown = WebhookSummary.of(subscription)
    assert shown == WebhookSummary(subscription.id, "https://a.example/h", frozenset({"*"}), NOW)
    assert "secret" not in {field.name for field in fields(WebhookSummary)}


def test_a_delivery_as_the_api_reads_it_carries_no_payload() -> None:
    delivery = a_delivery()
    shown = DeliverySummary.of(delivery)
    assert (shown.id, shown.event_id, shown.status) == (delivery.id, "event-1", "pending")
    assert "payload" not in {field.name for field in fields(DeliverySummary)}


def test_pauses_double_from_the_base_with_at_most_half_taken_off_at_random() -> None:
    backoff = Backoff(base=2.0, max_attempts=8, most=30.0)
    assert [backoff.pause(n, jitter=0.0) for n in range(1, 6)] == [2, 4, 8, 16, 30]
    assert backoff.pause(3, jitter=0.999) == pytest.approx(4.004)


def test_a_retry_after_is_honoured_up_to_the_longest_pause() -> None:
    backoff = Backoff(base=1.0, max_attempts=8, most=60.0)
    assert backoff.pause(1, retry_after=20, jitter=0.0) == 20
    assert backoff.pause(1, retry_after=86400, jitter=0.0) == 60
    assert backoff.pause(4, retry_after=0.5, jitter=0.0) == 8


def test_a_2xx_answer_delivers() -> None:
    done = a_delivery().attempted(Outcome(status_code=204), NOW, Backoff(1, 3))
    assert done.status is DeliveryStatus.DELIVERED
    assert (done.attempts, done.delivered_at, done.next_attempt_at) == (1, NOW, None)


@pytest.mark.parametrize(
    "outcome",
    [Outcome(status_code=500), Outcome(status_code=429), Outcome(302), Outcome(error="timeout")],
)
def test_anything_else_is_retried_later_until_the_last_attempt(outcome: Outcome) -> None:
    backoff = Backoff(base=10, max_attempts=3)
    first = a_delivery().attempted(outcome, NOW, backoff, jitter=lambda: 0.0)
    assert first.status is DeliveryStatus.FAILED_RETRYING
    assert first.next_attempt_at == NOW + timedelta(seconds=10)
    assert (first.last_status_code, first.last_error) == (outcome.status_code, outcome.error)
    second = first.attempted(outcome, NOW, backoff, jitter=lambda: 0.0)
    assert second.next_attempt_at == NOW + timedelta(seconds=20)
    dead = second.attempted(outcome, NOW, backoff)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == (DeliveryStatus.DEAD, 3, None)


def test_a_dead_or_delivered_delivery_is_redelivered_under_the_same_id() -> None:
    dead = a_delivery().attempted(Outcome(error="refused"), NOW, Backoff(1, 1))
    later = NOW + timedelta(hours=1)
    again = dead.redelivered(later)
    assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, later)
    assert again.id == dead.id
    delivered = a_delivery().attempted(Outcome(200), NOW, Backoff(1, 1))
    assert delivered.redelivered(later).status is DeliveryStatus.PENDING


def test_a_delivery_still_being_tried_is_not_redelivered() -> None:
    with pytest.raises(Conflict):
        a_delivery().redelivered(NOW)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(URL_PATTERN, fullmatch=True).filter(lambda url: len(url) <= MAX_URL_LENGTH))
def test_every_url_the_api_schema_takes_the_domain_takes(url: str) -> None:
    assert host_of(url)
