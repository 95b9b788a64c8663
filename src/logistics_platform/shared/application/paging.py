"""The answer every paged list gives, whichever context asks."""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of a list: its items, how many there are in all, which page and its size."""

    items: list[T]
    total: int
    page: int
    size: int
