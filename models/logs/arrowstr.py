"""Vectorised string surgery on Arrow string arrays that Arrow's compute kernels lack.

Arrow has no "slice each string from its own start to its own end" kernel, so these work on
the arrays' raw offset and data buffers with NumPy. No Python loop runs per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """One contiguous ``string`` array (dictionary arrays are decoded)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if values.type != pa.string():
        values = values.cast(pa.string())
    return values


def buffers(values: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int32) and data bytes (uint8) of a string array, as zero-copy NumPy views."""
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    data_buffer = values.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    return offsets, data


def gather(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, valid: np.ndarray) -> pa.StringArray:
    """Build a string array whose row i is ``data[starts[i]:ends[i]]`` (null where not ``valid``)."""
    lengths = np.where(valid, np.maximum(ends - starts, 0), 0).astype(np.int64)
    new_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    total = int(new_offsets[-1])
    index = np.repeat(starts.astype(np.int64) - new_offsets[:-1], lengths) + np.arange(total, dtype=np.int64)
    payload = data[index] if total else np.zeros(0, np.uint8)
    mask = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        len(lengths), pa.py_buffer(new_offsets), pa.py_buffer(payload.tobytes()), mask
    ).cast(pa.string())


def split_parts(values: pa.Array, separator: str, parts: int) -> list[pa.Array]:
    """Split each string at the first ``parts - 1`` separators; missing parts are null."""
    values = as_string_array(values)
    pieces = pc.split_pattern(values, pattern=separator, max_splits=parts - 1)
    lengths = pc.fill_null(pc.list_value_length(pieces), 0).to_numpy(zero_copy_only=False)
    flat = pieces.flatten()
    starts = np.asarray(pieces.offsets)[:-1]
    out = []
    for j in range(parts):
        # A null index takes a null: rows without part j get one without a second pass.
        present = lengths > j
        out.append(flat.take(pa.array(starts + j, mask=~present)) if len(flat) else pa.nulls(len(values), pa.string()))
    return out


def _first_occurrences(
    queries: pa.StringArray, keys
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Where each key's value sits in each query string: the data bytes and, per key, ``(rows, starts, ends)``.

    Query strings are split into ``key=value`` tokens once; each wanted key is then found by
    comparing a few bytes of the tokens whose key has the right length, so looking up seven
    keys costs little more than looking up one. Only a row's first occurrence of a key counts.
    """
    tokens = pc.split_pattern(queries, pattern="&")
    list_offsets = np.asarray(tokens.offsets)
    flat = as_string_array(tokens.flatten())
    offsets, data = buffers(flat)
    starts, ends = offsets[:-1].astype(np.int64), offsets[1:].astype(np.int64)
    key_length = pc.fill_null(pc.find_substring(flat, "="), -1).to_numpy(zero_copy_only=False)
    found = {}
    for key in keys:
        encoded = key.encode()
        hits = np.flatnonzero(key_length == len(encoded))
        for j, byte in enumerate(encoded):
            hits = hits[data[starts[hits] + j] == byte]
        rows = np.searchsorted(list_offsets, hits, side="right") - 1
        first = np.ones(len(hits), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]  # tokens are in row order: keep each row's first hit
        hits, rows = hits[first], rows[first]
        found[key] = (rows, starts[hits] + len(encoded) + 1, ends[hits])
    return data, found


def query_params(queries: pa.Array, keys) -> dict[str, pa.StringArray]:
    """The value of each key in each query string (its first occurrence), null when absent or empty.

    Args:
        queries: Query strings without the ``?``, e.g. ``action=add&productId=X&JSESSIONID=Y``.
        keys: Parameter names, matched case-sensitively.

    Returns:
        ``{key: string array}``, one value per query string.
    """
    queries = as_string_array(queries)
    n = len(queries)
    data, found = _first_occurrences(queries, keys)
    out = {}
    for key, (rows, starts, ends) in found.items():
        value_starts, value_ends = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        value_starts[rows], value_ends[rows] = starts, ends
        out[key] = gather(data, value_starts, value_ends, value_ends > value_starts)
    return out


def first_params(queries: pa.Array, key_groups) -> list[pa.StringArray]:
    """Per group of keys, the value of the first key (in the group's order) that ``query_params`` finds.

    The same as coalescing ``query_params``' arrays group by group, with one string copy per
    group instead of one per key.

    Args:
        queries: Query strings without the ``?``.
        key_groups: Sequences of parameter names, e.g. ``[("productId", "pid"), ("categoryId",)]``.

    Returns:
        One string array per group, null where none of its keys has a value.
    """
    queries = as_string_array(queries)
    n = len(queries)
    data, found = _first_occurrences(queries, [key for group in key_groups for key in group])
    out = []
    for group in key_groups:
        value_starts, value_ends = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        for key in reversed(group):  # the first key is written last, over the others
            rows, starts, ends = found[key]
            present = ends > starts
            value_starts[rows[present]], value_ends[rows[present]] = starts[present], ends[present]
        out.append(gather(data, value_starts, value_ends, value_ends > value_starts))
    return out


def dictionary_map(values: pa.Array, fn) -> pa.Array:
    """Apply a vectorised ``fn`` to the distinct values only, then spread the result back to every row.

    Log columns repeat heavily (agents, paths, timestamps to the second), so computing on the
    dictionary is often a hundred times less work than computing on the rows.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    mapped = fn(encoded.dictionary)
    return mapped.take(encoded.indices)
