import asyncio

from logistics_platform.entrypoints.runner import run_process


def test_a_process_role_runs_on_uvloop_and_returns_what_its_main_returns() -> None:
    async def main() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_process(main()).startswith("uvloop")
