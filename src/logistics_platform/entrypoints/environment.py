"""Which settings each command reads, for its ``--help`` (kept true by a test against
``config.Settings``). Plain text, so that ``--help`` imports nothing heavy."""

STORE = ("DATABASE_URL", "DB_POOL_SIZE", "AUTO_MIGRATE", "TRACING")  # bootstrap reads them
LOGS = ("LOG_LEVEL", "LOG_FORMAT")
HTTP = (
    "HOST",
    "AUTH",
    "JWT_SECRET",
    "JWT_PREVIOUS_SECRET",
    "JWT_JWKS_URL",
    "JWT_AUDIENCE",
    "JWT_ISSUER",
    "JWT_ROLES_CLAIM",
    "JWT_LEEWAY_SECONDS",
    "RATE_LIMIT",
    "PUBLIC_RATE_LIMIT",
    "REDIS_URL",
    "CORS_ORIGINS",
)
READ_STORE = ("READ_STORE", "ELASTICSEARCH_URL", "ELASTICSEARCH_INDEX")
BROKER = ("RABBITMQ_URL", "RABBITMQ_EXCHANGE", "RABBITMQ_QUEUE_PREFIX")
RELAY = ("RELAY_BATCH_SIZE", "RELAY_POLL_INTERVAL", "RELAY_BATCHES_IN_FLIGHT")
CONSUMER = ("CONSUMER_PREFETCH", "MAX_DELIVERY_ATTEMPTS", "RETRY_BASE_DELAY_MS")
DELIVERY = ("EVENT_BATCH_WINDOW_MS", "METRICS_PORT")
EMBEDDED = ("DELIVERY_PROCESS",)
SWEEPER = ("RESERVATION_SWEEP_INTERVAL",)
SLA = (
    "SLA_REGISTERED_MAX_SECONDS",
    "SLA_IN_TRANSIT_MAX_SECONDS",
    "SLA_IN_TRANSIT_MAX_SECONDS_BY_CARRIER",
    "SLA_MAX_FAILED_ATTEMPTS",
    "SLA_SWEEP_INTERVAL",
)
WEBHOOKS = ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "WEBHOOK_ALLOWED_HOSTS")  # creation checks them
WEBHOOK_DISPATCHER = (
    *WEBHOOKS,
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_TIMEOUT_SECONDS",
    "WEBHOOK_CONCURRENCY",
    "WEBHOOK_CONCURRENCY_PER_ENDPOINT",
    "WEBHOOK_RETRY_BASE_SECONDS",
)


def reads(*groups: tuple[str, ...]) -> str:
    """An epilog naming the variables, as the help shows it."""
    names = sorted({name for group in groups for name in group})
    return "Reads from the environment (or ./.env): " + ", ".join(names) + "."
