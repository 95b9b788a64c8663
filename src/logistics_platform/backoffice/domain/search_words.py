"""Words for text search, cut the same way for every read store.

A view is found by a query when every word of the query starts one of the view's words
(its item name, reservation id and tracking number, cut at anything but letters and
digits, compared case-insensitively): ``"iph 15"`` finds "iPhone 15 Pro", ``"order-12"``
finds reservation ``order-12345``.
"""

import re

from logistics_platform.backoffice.domain.tracking_view import TrackingView

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters and digits, case-folded."""
    return _WORD.findall(text.casefold())


def searchable_text(view: TrackingView) -> str:
    """The view's words, space-separated, with a space on each side (so ``" " + word``
    marks the start of a word for a plain ``LIKE``)."""
    fields = (view.stock_item_name, view.reservation_id, view.tracking_number)
    found = [word for field in fields if field for word in words(field)]
    return f" {' '.join(found)} "
