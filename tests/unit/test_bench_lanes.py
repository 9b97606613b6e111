"""The benchmark's import lanes: each tenant's files in one lane, in order, and the lanes
about as heavy as each other."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.load import lanes


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.lists(st.integers(1, 5000), min_size=1, max_size=3), min_size=1,
                      max_size=12), count=st.integers(1, 4))
def test_every_file_is_in_one_lane_with_its_tenant_in_order(tmp_path_factory, sizes, count):
    folder = tmp_path_factory.mktemp("files")
    jobs = []
    for t, files in enumerate(sizes):
        for n, size in enumerate(files):
            path = folder / f"t{t}_{n}.csv"
            path.write_bytes(b"x" * size)
            jobs.append((f"t{t}", path))
    split = lanes(jobs, count)
    assert 1 <= len(split) <= count
    assert sorted(j for lane in split for j in lane) == sorted((t, str(p)) for t, p in jobs)
    for lane in split:
        for tenant in {t for t, _ in lane}:
            assert [p for t, p in lane if t == tenant] == \
                [str(p) for t, p in jobs if t == tenant]
            assert all(tenant not in {t for t, _ in other} for other in split
                       if other is not lane)
    weights = sorted(sum(Path(p).stat().st_size for _, p in lane) for lane in split)
    heaviest_tenant = max(sum(files) for files in sizes)
    assert weights[-1] - weights[0] <= heaviest_tenant
