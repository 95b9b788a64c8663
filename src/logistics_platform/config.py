"""Settings, read from the environment (or a ``.env`` file). No configuration is needed:
the defaults run the embedded mode on a SQLite file."""

from typing import Literal

from pydantic import Field
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
    host: str = Field(default="127.0.0.1", description="Interface the HTTP APIs bind to")
    inventory_port: int = Field(default=3000, ge=1, le=65535)
    backoffice_port: int = Field(default=3001, ge=1, le=65535)
    health_port: int = Field(default=3002, ge=1, le=65535)
    db_pool_size: int = Field(
        default=20, ge=1, le=200, description="PostgreSQL connections a process keeps, at most"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    auto_migrate: bool = Field(
        default=True, description="Apply database migrations when a process starts"
    )

    @property
    def event_batch_window(self) -> float:
        """``EVENT_BATCH_WINDOW_MS`` in seconds, as the relay and consumers take it."""
        return self.event_batch_window_ms / 1000
