"""Settings, read from the environment (or a ``.env`` file). No configuration is needed:
the defaults run the embedded mode on a SQLite file."""

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./var/logistics.db",
        description="Write store: a SQLite file (embedded) or postgresql://…",
    )
    rabbitmq_url: str | None = Field(
        default=None, description="amqp://… to relay events through RabbitMQ"
    )
    rabbitmq_exchange: str = Field(
        default="domain_events", min_length=1, description="Topic exchange events go to"
    )
    rabbitmq_queue_prefix: str = Field(
        default="", description="Put before every subscriber queue name (shared brokers)"
    )
    consumer_prefetch: int = Field(
        default=200,
        ge=1,
        le=1000,
        description=(
            "Unacknowledged messages per subscriber queue, and so the largest batch one"
            " transaction handles: a consumer that falls behind catches up in bigger batches"
        ),
    )
    max_delivery_attempts: int = Field(
        default=5, ge=1, le=20, description="Handler attempts before an event is dead-lettered"
    )
    retry_base_delay_ms: int = Field(
        default=1000, ge=1, description="Pause before the first retry; doubles for each next"
    )
    event_batch_window_ms: int = Field(
        default=5,
        ge=0,
        le=1000,
        description=(
            "After a batch, how long the relay and each consumer let events gather before"
            " the next one: under a steady stream, fewer and larger transactions; after a"
            " quiet spell an event goes at once"
        ),
    )
    delivery_process: bool = Field(
        default=True,
        description=(
            "serve (no RabbitMQ): deliver the events in a second process, so that the"
            " subscribers have a core of their own; false: in the APIs' process"
        ),
    )
    relay_batch_size: int = Field(default=500, ge=1, le=10000)
    relay_batches_in_flight: int = Field(
        default=2,
        ge=1,
        le=16,
        description=(
            "Batches the relay has on their way at once: while the broker confirms one,"
            " it claims and sends the next (PostgreSQL; on SQLite one at a time)"
        ),
    )
    relay_poll_interval: float = Field(
        default=1.0, gt=0, description="Seconds between outbox polls when nothing wakes the relay"
    )
    elasticsearch_url: str | None = Field(
        default=None, description="http://… to keep the read side in Elasticsearch"
    )
    read_store: Literal["sql", "elasticsearch"] | None = Field(
        default=None,
        description="Where tracking views live; unset: elasticsearch if ELASTICSEARCH_URL "
        "is set, else sql (the database above)",
    )
    elasticsearch_index: str = Field(
        default="tracking_views",
        pattern=r"^[a-z0-9][a-z0-9_\-]{0,200}$",
        description="Alias of the tracking index (the index itself is <alias>_v<N>)",
    )
    reservation_sweep_interval: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="Seconds between sweeps for held reservations past their expiry (ttlSeconds)",
    )
    sla_registered_max_seconds: float = Field(
        default=86400, gt=0, description="SLA: how long a package may stay registered"
    )
    sla_in_transit_max_seconds: float = Field(
        default=259200, gt=0, description="SLA: how long a package may stay in transit"
    )
    sla_in_transit_max_seconds_by_carrier: dict[str, float] = Field(
        default={},
        description="SLA: carriers with an in-transit limit of their own, in seconds"
        ' (JSON, e.g. {"DHL": 86400})',
    )
    sla_max_failed_attempts: int = Field(
        default=2, ge=1, le=100, description="SLA: failed delivery attempts that raise an alert"
    )
    sla_sweep_interval: float = Field(
        default=30.0, gt=0, le=3600, description="Seconds between sweeps for overdue SLA watches"
    )
    host: str = Field(default="127.0.0.1", description="Interface the HTTP APIs bind to")
    inventory_port: int = Field(default=3000, ge=1, le=65535)
    backoffice_port: int = Field(default=3001, ge=1, le=65535)
    health_port: int = Field(default=3002, ge=1, le=65535)
    logistics_port: int = Field(default=3003, ge=1, le=65535)
    db_pool_size: int = Field(
        default=20, ge=1, le=200, description="PostgreSQL connections a process keeps, at most"
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of /metrics for the roles without an API (relay, consumers); unset: none",
    )
    tracing: Literal["none", "otel"] = Field(
        default="none",
        description="otel: OpenTelemetry traces over OTLP/HTTP (the `otel` extra), to"
        " OTEL_EXPORTER_OTLP_ENDPOINT under OTEL_SERVICE_NAME; none: no tracing",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    auto_migrate: bool = Field(
        default=True, description="Apply database migrations when a process starts"
    )
    auth: Literal["none", "jwt"] = Field(
        default="none",
        description="jwt: every API call but probes and the public tracking lookup needs a"
        " bearer token; none (the embedded default): anyone may call anything",
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="Shared secret of HS256 tokens (at least 32 bytes)"
    )
    jwt_previous_secret: SecretStr | None = Field(
        default=None,
        description="During a rotation: the former JWT_SECRET, still accepted (never used to sign)",
    )
    jwt_jwks_url: str | None = Field(
        default=None, description="https://… JWKS of an identity provider (RS256/ES256 tokens)"
    )
    jwt_audience: str = Field(default="logistics-platform", description="Required `aud` claim")
    jwt_issuer: str = Field(default="logistics-platform", description="Required `iss` claim")
    jwt_roles_claim: str = Field(default="roles", description="Claim holding the caller's roles")
    jwt_leeway_seconds: int = Field(
        default=30, ge=0, le=300, description="Clock skew allowed on `exp` and `nbf`"
    )

    rate_limit: str = Field(
        default="200/second",
        description="Calls per client (token subject, else address) to an API, in the"
        " `limits` notation (e.g. 100/second, 5000/minute); none: no limit",
    )
    public_rate_limit: str = Field(
        default="60/minute",
        description="Calls per address to the public tracking lookup; none: no limit",
    )
    cors_origins: list[str] = Field(
        default=[],
        description="Origins browsers may call the APIs from (JSON list, e.g."
        ' ["https://ops.example.com"]); empty: no cross-origin calls',
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://… where replicas share their rate-limit counters;"
        " unset: each process counts alone, in memory",
    )

    webhook_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts at a webhook delivery before it is dead"
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="How long one webhook attempt may take in all"
    )
    webhook_concurrency: int = Field(
        default=32, ge=1, le=1000, description="Webhook sends in flight at once, per process"
    )
    webhook_concurrency_per_endpoint: int = Field(
        default=4,
        ge=1,
        le=100,
        description="Webhook sends in flight at once to one subscription, per process",
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Pause before a webhook's first retry; doubles for each next (up to an"
        " hour), less up to half at random; a receiver's Retry-After is honoured",
    )
    webhook_allow_private_networks: bool = Field(
        default=False,
        description="Let webhooks call loopback, private, link-local and other internal"
        " addresses (refused by default: SSRF)",
    )
    webhook_allowed_hosts: list[str] = Field(
        default=[],
        description="Hosts webhooks may call even on internal addresses (JSON list, e.g."
        ' ["receiver.internal"])',
    )

    @field_validator("rate_limit", "public_rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        from limits import parse  # noqa: PLC0415 - only the APIs need the library otherwise

        if value != "none":
            try:
                parse(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a rate such as 100/second") from None
        return value

    @field_validator("sla_in_transit_max_seconds_by_carrier")
    @classmethod
    def _positive_limits(cls, value: dict[str, float]) -> dict[str, float]:
        if any(seconds <= 0 for seconds in value.values()):
            raise ValueError("every carrier's in-transit limit must be positive")
        return value

    @model_validator(mode="after")
    def _jwt_needs_a_key(self) -> Self:
        if self.auth == "jwt" and self.jwt_secret is None and self.jwt_jwks_url is None:
            raise ValueError("AUTH=jwt needs JWT_SECRET (HS256) or JWT_JWKS_URL (RS256/ES256)")
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return self

    @property
    def event_batch_window(self) -> float:
        """``EVENT_BATCH_WINDOW_MS`` in seconds, as the relay and consumers take it."""
        return self.event_batch_window_ms / 1000
