from logistics_platform.bootstrap import Platform
from tests.mothers.inventory import a_reservation_of, an_add_stock_item


async def test_a_reservation_reaches_the_tracking_view(platform: Platform) -> None:
    add = an_add_stock_item(quantity=5)
    await platform.commands.handle(add)
    reserve = a_reservation_of(add.id, quantity=2)
    await platform.commands.handle(reserve)
    assert platform.delivery is not None
    await platform.delivery.catch_up()
    view = await platform.tracking.find(reserve.reservation_id)
    assert view is not None
    assert view.status == "registered"
    assert view.stock_item_name == "iPhone 15 Pro"
