"""How the dashboard's pages write figures and links."""

from logistics_platform.entrypoints.http.dashboard_pages import duration, label, query


def test_durations_are_written_in_their_largest_whole_unit() -> None:
    assert [duration(s) for s in (45, 90, 3600, 5400, 86400, 259200)] == [
        "45 s",
        "1.5 min",
        "1 h",
        "1.5 h",
        "1 d",
        "3 d",
    ]


def test_labels_read_as_words() -> None:
    assert label("delivery_failed") == "delivery failed"
    assert label(None) == ""


def test_a_query_string_leaves_blanks_out_and_applies_changes() -> None:
    assert query({"q": "drone x", "status": "", "from": None}, page=2) == "q=drone+x&page=2"
