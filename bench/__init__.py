"""The benchmark at scale: generate seeded usage data, load it through the real import path,
and measure imports, sessionization, the pages' queries, the export and alert evaluation.

Run it with `python -m bench --db URL --tenants T --conversations C [--json FILE]`.
"""
