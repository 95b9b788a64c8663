"""``logistics simulate``: a day at a warehouse and its carrier, driven through the public
HTTP APIs of a running platform, then reconciled.

Each order follows one scenario (delivered, second attempt, returned, cancelled, released,
expired, …) through Inventory and Logistics commands; the platform's own reactions do the
rest (commit on dispatch, release on cancel, cancel on release or expiry, restock on
return). At the end the simulator waits for the read side, then checks what only a
correct platform gets right: the stock invariant per item, every package in the status
its scenario leads to, every reservation matching its package, every tracking view
matching both.
"""

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

# Scenario → (weight, the package's final status, the reservation's final status).
SCENARIOS: dict[str, tuple[int, str, str]] = {
    "delivered": (40, "delivered", "committed"),
    "second_attempt": (12, "delivered", "committed"),
    "in_transit": (8, "in_transit", "committed"),
    "returned_after_delivery": (8, "returned", "committed"),
    "returned_after_failure": (7, "returned", "committed"),
    "cancelled": (9, "cancelled", "released"),
    "released": (9, "cancelled", "released"),
    "expired": (7, "cancelled", "expired"),
}
WAREHOUSES = ("MAD-1", "BCN-1", "LIS-1")
CARRIERS = ("SEUR", "DHL", "UPS", "CTT")
ATTEMPTS = 10  # per command, on lost answers and rate limiting
PLACES = ("Madrid hub", "Zaragoza", "Barcelona hub", "Lisbon hub", "Porto", "Valencia")


@dataclass(frozen=True, slots=True)
class Endpoints:
    inventory: str = "http://127.0.0.1:3000"
    logistics: str = "http://127.0.0.1:3003"
    backoffice: str = "http://127.0.0.1:3001"


@dataclass(frozen=True, slots=True)
class Options:
    orders: int = 200
    rate: float = 50.0  # orders started per second
    seed: int | None = None
    items: int = 12
    concurrency: int = 32
    settle_timeout: float = 120.0
    token: str | None = None


@dataclass
class Item:
    id: str
    warehouse: str
    received: int  # initial + replenished ± counted, as the simulator sent them


@dataclass
class Order:
    reservation_id: str
    item: Item
    quantity: int
    scenario: str
    package_id: str | None = None
    failure: str | None = None


@dataclass
class Report:
    orders: list[Order] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    commands: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reconciled(self) -> bool:
        return not self.mismatches and not any(order.failure for order in self.orders)


class UnexpectedAnswer(Exception):
    pass


class Simulator:
    def __init__(
        self,
        endpoints: Endpoints,
        options: Options,
        on_order_done: Callable[[], None] = lambda: None,
    ) -> None:
        self.endpoints = endpoints
        self.options = options
        self.random = random.Random(options.seed)
        self.report = Report()
        self.run_id = uuid.uuid4().hex[:8]  # this run's names, apart from earlier runs'
        self.on_order_done = on_order_done
        headers = {"Authorization": f"Bearer {options.token}"} if options.token else {}
        self.http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(60.0),  # a busy platform is slow, not down
            limits=httpx.Limits(max_connections=options.concurrency * 2),
        )
        self._item_locks: dict[str, asyncio.Lock] = {}

    async def close(self) -> None:
        await self.http.aclose()

    # The day ------------------------------------------------------------------------

    async def run(self) -> Report:
        started = time.perf_counter()
        await self._stock_the_warehouses()
        gate = asyncio.Semaphore(self.options.concurrency)
        tasks = []
        for number in range(self.options.orders):
            await asyncio.sleep(
                max(0.0, started + number / self.options.rate - time.perf_counter())
            )
            await gate.acquire()
            tasks.append(asyncio.create_task(self._order(number, gate)))
        await asyncio.gather(*tasks)
        await self._count_the_stock()
        await self._reconcile()
        self.report.seconds = time.perf_counter() - started
        return self.report

    async def _stock_the_warehouses(self) -> None:
        for number in range(self.options.items):
            warehouse = WAREHOUSES[number % len(WAREHOUSES)]
            item = Item(str(uuid.uuid4()), warehouse, received=self.random.randint(40, 120))
            await self._command(
                "add stock item",
                "POST",
                f"{self.endpoints.inventory}/stock-items",
                {
                    "id": item.id,
                    "name": f"Item {number + 1} ({warehouse})",
                    "quantity": item.received,
                    "warehouse": warehouse,
                    "sku": f"SIM-{self.run_id}-{number + 1:04d}",  # unique per warehouse
                    "lowStockThreshold": 10,
                },
                expect=201,
            )
            self.report.items.append(item)
            self._item_locks[item.id] = asyncio.Lock()

    async def _order(self, number: int, gate: asyncio.Semaphore) -> None:
        scenario = self.random.choices(
            list(SCENARIOS), weights=[weight for weight, _, _ in SCENARIOS.values()]
        )[0]
        order = Order(
            reservation_id=f"sim-{self.run_id}-{number + 1:06d}",
            item=self.random.choice(self.report.items),
            quantity=self.random.randint(1, 4),
            scenario=scenario,
        )
        self.report.orders.append(order)
        try:
            await self._reserve(order)
            order.package_id = await self._package_of(order)
            await self._follow(order)
        except UnexpectedAnswer as error:
            order.failure = str(error)
        finally:
            gate.release()
            self.on_order_done()

    async def _reserve(self, order: Order) -> None:
        body: dict[str, Any] = {"quantity": order.quantity, "reservationId": order.reservation_id}
        if order.scenario == "expired":
            body["ttlSeconds"] = self.random.randint(1, 3)
        url = f"{self.endpoints.inventory}/stock-items/{order.item.id}/reserve"
        answer = await self._command("reserve", "PUT", url, body, expect={200, 409})
        if answer.status_code == 409:  # sold out: a delivery arrives, then try again
            await self._replenish(order.item, 50)
            await self._command("reserve", "PUT", url, body, expect=200)

    async def _replenish(self, item: Item, quantity: int) -> None:
        async with self._item_locks[item.id]:
            await self._command(
                "replenish",
                "POST",
                f"{self.endpoints.inventory}/stock-items/{item.id}/replenish",
                {"quantity": quantity, "receiptId": f"receipt-{uuid.uuid4().hex[:12]}"},
                expect=200,
            )
            item.received += quantity

    async def _package_of(self, order: Order) -> str:
        """The package Logistics registered for the reservation (an event away)."""
        url = f"{self.endpoints.logistics}/packages"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = await self._get(url, reservationId=order.reservation_id)
            if answer.status_code == 200 and answer.json()["items"]:
                return str(answer.json()["items"][0]["id"])
            await asyncio.sleep(0.05)
        raise UnexpectedAnswer(f"no package for {order.reservation_id} after 60 s")

    async def _follow(self, order: Order) -> None:
        steps: dict[str, list[str]] = {
            "delivered": ["dispatch", *["checkpoint"] * self.random.randint(0, 2), "deliver"],
            "second_attempt": ["dispatch", "fail", "dispatch", "checkpoint", "deliver"],
            "in_transit": ["dispatch", "checkpoint"],
            "returned_after_delivery": ["dispatch", "deliver", "return"],
            "returned_after_failure": ["dispatch", "fail", "return"],
            "cancelled": ["cancel"],
            "released": ["release"],
            "expired": [],
        }
        carrier = self.random.choice(CARRIERS)
        for step in steps[order.scenario]:
            await self._STEPS[step](self, order, carrier)

    async def _package_command(self, order: Order, action: str, body: dict[str, Any]) -> None:
        url = f"{self.endpoints.logistics}/packages/{order.package_id}/{action}"
        await self._command(action, "POST", url, body, expect=200)

    async def _dispatch(self, order: Order, carrier: str) -> None:
        location = self.random.choice(PLACES)
        await self._package_command(order, "dispatch", {"carrier": carrier, "location": location})

    async def _checkpoint(self, order: Order, _carrier: str) -> None:
        body = {"location": self.random.choice(PLACES), "note": "scanned"}
        await self._package_command(order, "checkpoints", body)

    async def _deliver(self, order: Order, _carrier: str) -> None:
        body = {"signedBy": "A. Customer", "location": "Front door"}
        await self._package_command(order, "deliver", body)

    async def _fail(self, order: Order, _carrier: str) -> None:
        await self._package_command(order, "fail", {"reason": "nobody at home"})

    async def _return(self, order: Order, _carrier: str) -> None:
        await self._package_command(order, "return", {"reason": "refused by the customer"})

    async def _cancel(self, order: Order, _carrier: str) -> None:
        await self._package_command(order, "cancel", {"reason": "customer changed their mind"})

    async def _release(self, order: Order, _carrier: str) -> None:
        url = f"{self.endpoints.inventory}/reservations/{order.reservation_id}/release"
        await self._command("release", "POST", url, None, expect=200)

    _STEPS: dict[str, Callable[["Simulator", Order, str], Awaitable[None]]] = {
        "dispatch": _dispatch,
        "checkpoint": _checkpoint,
        "deliver": _deliver,
        "fail": _fail,
        "return": _return,
        "cancel": _cancel,
        "release": _release,
    }

    async def _count_the_stock(self) -> None:
        """End of the day, once the platform is quiet: each item is counted, and the count
        finds one unit fewer than the books (shrinkage)."""
        await self._settle()
        for item in self.report.items:
            current = await self._item(item)
            counted = max(current["reserved"], current["onHand"] - 1)
            await self._command(
                "adjust",
                "POST",
                f"{self.endpoints.inventory}/stock-items/{item.id}/adjust",
                {"onHand": counted, "reason": "cycle count", "countId": f"count-{item.id}"},
                expect=200,
            )
            item.received += counted - current["onHand"]

    # Reconciliation ---------------------------------------------------------------

    async def _settle(self) -> None:
        """Wait until every order's package and reservation reached what its scenario
        leads to, and the tracking views show it (or the timeout passes)."""
        deadline = time.monotonic() + self.options.settle_timeout
        pending = [order for order in self.report.orders if not order.failure]
        while pending and time.monotonic() < deadline:
            states = await asyncio.gather(*(self._mismatches_of(order) for order in pending))
            pending = [order for order, wrong in zip(pending, states, strict=True) if wrong]
            if pending:
                await asyncio.sleep(0.5)

    async def _reconcile(self) -> None:
        await self._settle()
        for order in self.report.orders:
            self.report.mismatches.extend(await self._mismatches_of(order))
        for item in self.report.items:
            state = await self._item(item)
            held = state["quantity"] + state["reserved"] + state["shipped"]
            if held != item.received:
                self.report.mismatches.append(
                    f"item {item.id}: received {item.received} but available {state['quantity']}"
                    f" + reserved {state['reserved']} + shipped {state['shipped']} = {held}"
                )

    async def _mismatches_of(self, order: Order) -> list[str]:
        if order.failure or order.package_id is None:
            return []
        _, package_status, reservation_status = SCENARIOS[order.scenario]
        package = await self._body(f"{self.endpoints.logistics}/packages/{order.package_id}")
        reservation = await self._body(
            f"{self.endpoints.inventory}/reservations/{order.reservation_id}"
        )
        view = await self._body(f"{self.endpoints.backoffice}/tracking/{order.reservation_id}")
        found = {
            "package": package.get("status"),
            "reservation": reservation.get("status"),
            "tracking view": view.get("status"),
            "tracking view's reservation": view.get("reservationStatus"),
        }
        expected = {
            "package": package_status,
            "reservation": reservation_status,
            "tracking view": package_status,
            "tracking view's reservation": reservation_status,
        }
        return [
            f"{order.reservation_id} ({order.scenario}): {what} is {found[what]!r},"
            f" expected {expected[what]!r}"
            for what in expected
            if found[what] != expected[what]
        ]

    async def _item(self, item: Item) -> dict[str, Any]:
        return await self._body(f"{self.endpoints.inventory}/stock-items/{item.id}")

    async def _get(self, url: str, **params: str) -> httpx.Response:
        """A GET, asked again when the answer is lost or the platform is busy."""
        for attempt in range(ATTEMPTS):
            try:
                answer = await self.http.get(url, params=params)
            except httpx.TransportError:
                if attempt == ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            if answer.status_code not in {429, 503}:
                return answer
            await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
        raise UnexpectedAnswer(f"GET {url}: no answer after {ATTEMPTS} attempts")

    async def _body(self, url: str) -> dict[str, Any]:
        answer = await self._get(url)
        return answer.json() if answer.status_code == 200 else {}

    async def _command(
        self, name: str, method: str, url: str, body: Any, *, expect: int | set[int]
    ) -> httpx.Response:
        """Send a command with an Idempotency-Key; a lost answer is asked for again with
        the same key, so a retry never does the thing twice."""
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        for attempt in range(ATTEMPTS):
            try:
                answer = await self.http.request(method, url, json=body, headers=headers)
            except httpx.TransportError:
                if attempt == ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            if answer.status_code in {429, 503}:  # over the rate, or busy: wait as told, same key
                await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                continue
            if answer.status_code in ({expect} if isinstance(expect, int) else expect):
                self.report.commands[name] += 1
                return answer
            raise UnexpectedAnswer(f"{name} {url}: {answer.status_code} {answer.text[:300]}")
        raise UnexpectedAnswer(f"{name} {url}: no answer after {ATTEMPTS} attempts")


def simulate(endpoints: Endpoints, options: Options) -> Report:
    """Run the simulation with a progress bar, print the summary; the report says whether
    everything reconciled."""
    from rich.console import Console  # noqa: PLC0415 - the CLI's own dependency
    from rich.progress import Progress  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console()

    async def main() -> Report:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("orders", total=options.orders)
            simulator = Simulator(endpoints, options, lambda: progress.advance(task))
            try:
                return await simulator.run()
            finally:
                await simulator.close()

    try:
        report = asyncio.run(main())
    except (UnexpectedAnswer, httpx.TransportError) as error:
        reason = f"{type(error).__name__}: {error}"
        console.print(f"[red]the platform could not be driven:[/red] {reason}")
        return Report(mismatches=[reason])
    console.print(_summary(report, Table))
    for line in report.mismatches[:50]:
        console.print(f"[red]✗[/red] {line}")
    for order in report.orders:
        if order.failure:
            console.print(
                f"[red]✗[/red] {order.reservation_id} ({order.scenario}): {order.failure}"
            )
    verdict = "[green]reconciled[/green]" if report.reconciled else "[red]NOT reconciled[/red]"
    console.print(f"{len(report.orders)} orders in {report.seconds:.1f} s: {verdict}")
    return report


def _summary(report: Report, table_class: Any) -> Any:
    table = table_class(title="Simulation")
    table.add_column("scenario")
    table.add_column("orders", justify="right")
    table.add_column("package ends", justify="left")
    table.add_column("reservation ends", justify="left")
    table.add_column("failed", justify="right")
    by_scenario = Counter(order.scenario for order in report.orders)
    failed = Counter(order.scenario for order in report.orders if order.failure)
    for scenario, (_, package_status, reservation_status) in SCENARIOS.items():
        table.add_row(
            scenario,
            str(by_scenario[scenario]),
            package_status,
            reservation_status,
            str(failed[scenario]),
        )
    commands = ", ".join(f"{name} {count}" for name, count in sorted(report.commands.items()))
    table.caption = (
        f"{sum(report.commands.values())} commands ({commands}); "
        f"{len(report.mismatches)} mismatches"
    )
    return table
