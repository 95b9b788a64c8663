"""Where the CPU goes during a measurement: the machine's share in use (``/proc/stat``) and
each role's processes' CPU time (``/proc/<pid>/stat``), Linux only (elsewhere, nothing);
and how fast the machine runs right now (:func:`cpu_check`)."""

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# Roles found by their process names, beside those the benchmark started itself.
_SERVERS = {"postgres": "PostgreSQL", "beam.smp": "RabbitMQ"}


@dataclass(frozen=True)
class Snapshot:
    busy: int  # ticks, all cores: user, system, interrupts
    waiting_for_disk: int
    stolen: int  # by the hypervisor, for other machines
    total: int
    roles: dict[str, float] = field(default_factory=dict)  # seconds of CPU


@dataclass(frozen=True)
class CpuUse:
    busy: float  # share of the machine's CPU time
    waiting_for_disk: float
    stolen: float
    roles: dict[str, float]  # seconds of CPU each

    def describe(self) -> str:
        words = [f"machine {self.busy:.0%} busy"]
        if self.waiting_for_disk >= 0.01:
            words.append(f"{self.waiting_for_disk:.0%} waiting for the disk")
        if self.stolen >= 0.01:
            words.append(f"{self.stolen:.0%} taken by the host")
        return ", ".join(words)


def snapshot(started: Mapping[str, Iterable[int]]) -> Snapshot | None:
    """The CPU time used so far, with that of each role in ``started`` (its pids), of the
    local PostgreSQL and RabbitMQ servers and of this process."""
    try:
        ticks = [int(tick) for tick in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = ticks[:8]
    roles = {role: sum(map(process_seconds, pids)) for role, pids in started.items()}
    for pid in _all_pids():
        if (role := _SERVERS.get(_name(pid))) is not None:
            roles[role] = roles.get(role, 0.0) + process_seconds(pid)
    roles["benchmark (client, poller)"] = process_seconds(os.getpid())
    return Snapshot(
        busy=user + nice + system + irq + softirq,
        waiting_for_disk=iowait,
        stolen=steal,
        total=user + nice + system + idle + iowait + irq + softirq + steal,
        roles=roles,
    )


def used_between(before: Snapshot | None, after: Snapshot | None) -> CpuUse | None:
    if before is None or after is None or after.total == before.total:
        return None
    total = after.total - before.total
    return CpuUse(
        busy=(after.busy - before.busy) / total,
        waiting_for_disk=(after.waiting_for_disk - before.waiting_for_disk) / total,
        stolen=(after.stolen - before.stolen) / total,
        roles={
            role: seconds - before.roles.get(role, 0.0) for role, seconds in after.roles.items()
        },
    )


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def process_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICK


def cpu_check() -> float:
    """Milliseconds a fixed CPU-bound task takes (best of 3), to tell how fast the
    machine runs right now: the latencies at a fixed rate depend on it."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(1_000_000):
            total += n * n
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)
