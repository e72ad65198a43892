"""Vectorised string helpers against the plain-Python reading of the same strings."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from models.logs.arrowstr import first_params, query_params, split_parts

QUERIES = [
    "productId=A&cat=X",
    "pid=B&productId=&categoryId=Y&cat=Z",  # an empty value does not count
    "productId=&productId=C",  # only the first occurrence of a key counts
    "itemId=D&JSESSIONID=S",
    "",
    None,
    "x=1&y",
    "product_id=E&category_id=NULL",
]
PRODUCT_KEYS = ("productId", "product_id", "pid", "itemId")
CATEGORY_KEYS = ("categoryId", "category_id", "cat")


def test_query_params_take_each_keys_first_nonempty_occurrence():
    params = query_params(pa.array(QUERIES), PRODUCT_KEYS + CATEGORY_KEYS)
    assert params["productId"].to_pylist() == ["A", None, None, None, None, None, None, None]
    assert params["pid"].to_pylist() == [None, "B", None, None, None, None, None, None]
    assert params["cat"].to_pylist() == ["X", "Z", None, None, None, None, None, None]


def test_first_params_equal_coalesced_query_params():
    params = query_params(pa.array(QUERIES), PRODUCT_KEYS + CATEGORY_KEYS)
    product, category = first_params(pa.array(QUERIES), [PRODUCT_KEYS, CATEGORY_KEYS])
    assert product.to_pylist() == pc.coalesce(*[params[k] for k in PRODUCT_KEYS]).to_pylist()
    assert category.to_pylist() == pc.coalesce(*[params[k] for k in CATEGORY_KEYS]).to_pylist()
    assert product.to_pylist() == ["A", "B", None, "D", None, None, None, "E"]
    assert category.to_pylist() == ["X", "Y", None, None, None, None, None, "NULL"]


@pytest.mark.parametrize("separator, parts", [(" ", 3), ("?", 2)])
def test_split_parts_matches_str_split(separator, parts):
    values = ["GET /a?b=1 HTTP/1.1", "GET /a", "", "HTTP 1.1 x y", None, "/p?q?r"]
    got = list(zip(*[p.to_pylist() for p in split_parts(pa.array(values), separator, parts)]))
    for value, row in zip(values, got):
        pieces = value.split(separator, parts - 1) if value is not None else []
        assert list(row) == pieces + [None] * (parts - len(pieces))
