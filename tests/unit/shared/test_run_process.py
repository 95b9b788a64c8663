import asyncio
import gc
from collections.abc import Iterator

import pytest

from logistics_platform.entrypoints.runner import run, run_process


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()  # this test process goes on collecting as before


def test_a_process_role_runs_on_uvloop_and_returns_what_its_main_returns() -> None:
    async def main() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_process(main()).startswith("uvloop")


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_what_start_up_made_is_left_out_of_garbage_collections() -> None:
    made_at_start_up = {"imports": ["modules", "classes"]}
    made_while_running: list[object] = []

    async def main() -> tuple[bool, bool]:
        made_while_running.append({"handled": ["events"]})
        tracked = gc.get_objects()
        return (
            any(o is made_at_start_up for o in tracked),
            any(o is made_while_running[0] for o in tracked),
        )

    assert run_process(main()) == (False, True)


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_what_a_role_built_before_serving_is_left_out_of_garbage_collections() -> None:
    # A role imports and builds its adapters (the broker's client, say) inside main.
    built: list[object] = []

    async def worker() -> None:
        built.append({"handled": ["events"]})
        tracked = gc.get_objects()
        seen.extend(any(o is thing for o in tracked) for thing in built)
        await asyncio.Event().wait()  # until the role stops

    async def main() -> int:
        built.append({"adapters": ["built", "by", "the", "role"]})
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(0.2, stop.set)
        return await run(
            host="127.0.0.1", services=[], workers=[worker], on_stop=nothing, stop=stop
        )

    seen: list[bool] = []
    assert run_process(main()) == 0
    assert seen == [False, True]


async def nothing() -> None:
    return None
