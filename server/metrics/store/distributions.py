"""The SQL of a distribution of durations `s` (whole seconds) a query selects: count, mean,
and the nearest-rank median and 90th percentile, the value at rank ceil(p × n) in ascending
order. Ranks in integer arithmetic (ceil(n / 2) = (n + 1) / 2, ceil(9n / 10) = (9n + 9) / 10):
SQLite may lack ceil(). Three ways to the same row, by how the durations come (measured on a
year of 100,000 alerts and a month of 8,000, tests/integration/test_metrics_speed.py checks
they agree)."""

from __future__ import annotations

# Up to this many alerts in the period, unsorted durations are taken by rank; beyond, grouped.
RANK_AT_MOST = 30_000


def ranked(ordered: bool, alerts: int | None) -> bool:
    """Whether a distribution is taken by rank: read unsorted from at most RANK_AT_MOST alerts
    of the period (unknown: the few of a test or a person)."""
    return not ordered and (alerts is None or alerts <= RANK_AT_MOST)


def distribution(kind: str, durations: str, by_rank: bool = False) -> str:
    """The distribution's row, `kind` its name, from the query `durations` (column s): by rank
    (by_rank), else by grouping equal durations. Grouping first leaves the running counts a
    few thousand rows to order instead of every alert (3 times faster than ROW_NUMBER over all
    of them); the median is the smallest duration whose running count reaches its rank."""
    if by_rank:
        return _by_rank(kind, durations)
    return (
        f"SELECT '{kind}' AS kind, COALESCE(SUM(c), 0) AS count, "
        "SUM(s * c) * 1.0 / SUM(c) AS mean, "
        "MIN(CASE WHEN running >= (n + 1) / 2 THEN s END) AS median, "
        "MIN(CASE WHEN running >= (9 * n + 9) / 10 THEN s END) AS p90 "
        "FROM (SELECT s, c, SUM(c) OVER (ORDER BY s) AS running, SUM(c) OVER () AS n "
        f"FROM (SELECT s, COUNT(*) AS c FROM ({durations}) GROUP BY s))"
    )


# Durations that come unsorted (read from the period's alerts): one pass counts them, then the
# median and the 90th percentile are the rows at those ranks in order, each a sort the
# database keeps no larger than the rank asks (the 90th percentile counted from the top). Over
# a month (8,000 alerts, mostly distinct durations) 2 to 3 times faster than grouping and
# windows; over many (a year's 100,000 unsorted: 100 ms against 75) the grouping wins. The
# durations are materialised once, as they may come from a join.
def _by_rank(kind: str, durations: str) -> str:
    return (
        f"SELECT * FROM (WITH d AS MATERIALIZED ({durations}), "
        "n AS MATERIALIZED (SELECT COUNT(*) AS n, SUM(s) AS total FROM d) "
        f"SELECT '{kind}' AS kind, n AS count, total * 1.0 / n AS mean, "
        "(SELECT s FROM d ORDER BY s LIMIT 1 OFFSET (SELECT (n + 1) / 2 - 1 FROM n)) AS median, "
        "(SELECT s FROM d ORDER BY s DESC LIMIT 1 "
        "OFFSET (SELECT n - (9 * n + 9) / 10 FROM n)) AS p90 FROM n)"
    )


def in_index_order(kind: str, duration: str, rows: str) -> str:
    """The distribution read in order of duration from an index whose expression is
    `duration` (`rows`: its FROM and WHERE): the count and the sum from one scan, then the
    median and the 90th percentile by skipping to their ranks in the index's order, forwards
    and backwards; no sort, no window (a year of resolutions: 16 ms against 34 grouped)."""
    return (
        f"SELECT * FROM (WITH n AS MATERIALIZED (SELECT COUNT(*) AS n, SUM({duration}) AS total "
        f"{rows}) SELECT '{kind}' AS kind, n AS count, total * 1.0 / n AS mean, "
        f"(SELECT {duration} {rows} ORDER BY {duration} "
        "LIMIT 1 OFFSET (SELECT (n + 1) / 2 - 1 FROM n)) AS median, "
        f"(SELECT {duration} {rows} ORDER BY {duration} DESC "
        "LIMIT 1 OFFSET (SELECT n - (9 * n + 9) / 10 FROM n)) AS p90 FROM n)"
    )
