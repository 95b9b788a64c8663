"""Domain errors: the few kinds of failure the edges translate into HTTP statuses."""


class DomainError(Exception):
    """A business rule refused the operation."""

    title = "Domain rule violated"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    """A value does not satisfy its invariant (maps to 422)."""

    title = "Invalid argument"


class NotFound(DomainError):
    """The addressed aggregate does not exist (maps to 404)."""

    title = "Not found"


class Conflict(DomainError):
    """The request contradicts the current state (maps to 409)."""

    title = "Conflict"


class ConcurrentModification(Conflict):
    """Someone else changed the aggregate since it was read; the command may be retried."""

    title = "Concurrent modification"
