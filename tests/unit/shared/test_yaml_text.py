import json

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from logistics_platform.shared.infrastructure.yaml_text import to_yaml

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@example({"A\n": None})  # "$" matches before a final newline: plain would break the key
@given(JSON_VALUES)
def test_any_json_document_reads_back_the_same(document: object) -> None:
    assert yaml.safe_load(to_yaml(document)) == document


def test_plain_words_stay_plain_and_lookalikes_are_quoted() -> None:
    text = to_yaml(
        {"name": "domain_events", "on": "yes", "version": "0.1.0", "$ref": "#/channels/a.b"}
    )
    assert text == ('name: domain_events\n"on": "yes"\nversion: "0.1.0"\n$ref: "#/channels/a.b"\n')


def test_mappings_in_lists_are_block_style() -> None:
    text = to_yaml({"tags": [{"name": "inventory", "extra": []}], "empty": {}})
    assert text == "tags:\n  - name: inventory\n    extra: []\nempty: {}\n"
    assert json.loads(json.dumps(yaml.safe_load(text))) == {
        "tags": [{"name": "inventory", "extra": []}],
        "empty": {},
    }
