"""The tracking indices' life cycle: ``<alias>_v1`` created with the alias at start-up if
missing; a rebuild fills ``<alias>_v<N+1>`` and moves the alias onto it in one request."""

import re

import structlog
from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from logistics_platform.backoffice.infrastructure.es_documents import MAPPINGS, SETTINGS

log = structlog.get_logger(__name__)


class TrackingIndices:
    def __init__(self, client: AsyncElasticsearch, alias: str) -> None:
        self._client = client
        self.alias = alias

    def versioned(self, version: int) -> str:
        return f"{self.alias}_v{version}"

    async def ensure(self) -> None:
        """Create ``<alias>_v1`` behind the alias unless the alias exists, else add the
        mapping's new fields to it (idempotent, safe when several processes start together)."""
        if await self._client.indices.exists_alias(name=self.alias):
            # Fields added since the index was made (adding a field is allowed in place).
            await self._client.indices.put_mapping(
                index=self.alias, properties=MAPPINGS["properties"]
            )
            return
        try:
            await self._client.indices.create(
                index=self.versioned(1),
                settings=SETTINGS,
                mappings=MAPPINGS,
                aliases={self.alias: {}},
            )
            log.info("created tracking index", index=self.versioned(1), alias=self.alias)
        except BadRequestError as error:
            if error.error != "resource_already_exists_exception":
                raise
            if not await self._client.indices.exists_alias(name=self.alias):
                raise RuntimeError(
                    f"{self.versioned(1)} exists without the alias {self.alias!r}; "
                    "add the alias or delete the index"
                ) from error

    async def create_next(self) -> str:
        """A new, empty index numbered after every existing one, tuned for bulk loading."""
        index = self.versioned(max(await self._versions(), default=0) + 1)
        await self._client.indices.create(
            index=index,
            settings={**SETTINGS, "refresh_interval": "-1"},
            mappings=MAPPINGS,
        )
        return index

    async def seal(self, index: str) -> None:
        """Back to normal refreshes, and everything loaded made searchable."""
        await self._client.indices.put_settings(index=index, settings={"refresh_interval": None})
        await self._client.indices.refresh(index=index)

    async def point_alias_at(self, index: str) -> None:
        """Move the alias onto ``index`` atomically, then drop the indices it left."""
        previous = await self._aliased()
        actions: list[dict[str, dict[str, str]]] = [
            {"remove": {"index": old, "alias": self.alias}} for old in previous if old != index
        ]
        actions.append({"add": {"index": index, "alias": self.alias}})
        await self._client.indices.update_aliases(actions=actions)
        for old in previous:
            if old != index:
                await self._client.indices.delete(index=old)
        log.info("tracking alias moved", alias=self.alias, index=index, dropped=previous)

    async def _aliased(self) -> list[str]:
        try:
            return list(await self._client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    async def delete_all(self) -> None:
        # One by one: Elasticsearch 8 refuses wildcard deletes (destructive_requires_name).
        for index in await self._indices():
            await self._client.indices.delete(index=index)

    async def _versions(self) -> list[int]:
        return [int(index.rsplit("_v", 1)[1]) for index in await self._indices()]

    async def _indices(self) -> list[str]:
        pattern = re.compile(rf"^{re.escape(self.alias)}_v\d+$")
        found = await self._client.indices.get(
            index=f"{self.alias}_v*", allow_no_indices=True, expand_wildcards="all"
        )
        return [name for name in found if pattern.match(name)]
