"""On SIGTERM the relay and the consumers stop taking work and exit cleanly, in time."""

import asyncio
import signal
import time

from tests.processes import Processes

GRACE_PERIOD = 30  # terminationGracePeriodSeconds in k8s/, stop_grace_period in compose


async def test_relay_and_consumers_exit_cleanly_within_the_grace_period(
    processes: Processes,
) -> None:
    roles = {
        "relay": processes.logistics("relay", "relay"),
        "logistics-consumer": processes.logistics("logistics-consumer", "consumer", "logistics"),
        "backoffice-consumer": processes.logistics("backoffice-consumer", "consumer", "backoffice"),
    }
    markers = {"relay": "relay started"}
    for name, process in roles.items():
        await processes.wait_for_log(process, markers.get(name, "consuming"))
    for name, process in roles.items():
        assert process.popen.poll() is None, f"{name} died early\n{processes.logs()}"
        process.popen.send_signal(signal.SIGTERM)
    started = time.monotonic()
    for name, process in roles.items():
        remaining = GRACE_PERIOD - (time.monotonic() - started)
        code = await asyncio.to_thread(process.popen.wait, max(remaining, 0.1))
        assert code == 0, f"{name} exited with {code}\n{processes.logs()}"
