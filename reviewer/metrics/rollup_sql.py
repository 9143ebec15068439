"""The SQL that folds one batch of new rows (temporary tables ``fold_d``, ``fold_c``, ``fold_r`` of ids)
into the rollup tables of schema 0009. Each step aggregates first, so an upsert touches a row once."""

from __future__ import annotations

FINAL_ACTIONS = "('keep', 'remove', 'restrict', 'warn', 'strike', 'suspend')"
OVERRIDE = "COALESCE({n}, '') LIKE 'lead override:%%'"
ROLLUP_TABLES = ("metrics_decision_day", "metrics_decision_hour", "metrics_handle", "metrics_handle_all", "metrics_case_first",
                 "metrics_sla", "metrics_flow", "metrics_exposure", "metrics_folded")  # fmt: skip
BATCH_TABLES = ("fold_first", "fold_rows", "fold_d", "fold_c", "fold_r")
CAP_MS = 3_600_000


def parts(dialect: str, high: int = 0) -> dict[str, str]:
    """Dialect-specific pieces, named for ``str.format`` in :data:`FOLD_STEPS`. On SQLite ``high`` is the
    last decision rowid of the batch: rows after it are folded by a later chunk, so they are not seen yet
    (an undo must not count for its target both when the target is folded and when the undo is)."""
    seen = {"seen_u": f"AND u.rowid <= {int(high)}", "seen_o": f"AND o.rowid <= {int(high)}"}
    if dialect == "sqlite":
        day = "substr({}, 1, 10)"
        hour = "CAST(substr({}, 12, 2) AS INTEGER)"
        temp = "TEMP"
        drop = ""
        cross = "CROSS JOIN"  # SQLite keeps the left table outer: the small batch drives the lookups
    else:
        day = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        hour = "CAST(EXTRACT(HOUR FROM {} AT TIME ZONE 'UTC') AS INTEGER)"
        temp, drop, cross = "TEMP", "ON COMMIT DROP", "JOIN"
        seen = {"seen_u": "", "seen_o": ""}
    return {
        "day_d": day.format("d.created_at"), "hour_d": hour.format("d.created_at"),
        "hour_sla": hour.format("c.sla_deadline"), "day_sla": day.format("c.sla_deadline"),
        "day_c": day.format("c.created_at"), "day_new": day.format("f.new_t"), "day_old": day.format("f.old_t"),
        "day_r": day.format("r.started_at"), "temp": temp, "drop": drop, "cross": cross, **seen,
    }  # fmt: skip


def _upsert(table: str, keys: str, sums: dict[str, str], select: str) -> str:
    cols = ", ".join(sums)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    aggs = ", ".join(f"SUM({c}) AS {c}" for c in sums)
    return (
        f"INSERT INTO {table} ({keys}, {cols}) SELECT {keys}, {aggs} FROM ({select}) z WHERE 1 = 1 "
        f"GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    )


def _key_of() -> str:
    """A decision's rollup key columns (``d`` joined to its case ``c`` and channel ``ch``)."""
    return (
        "{day_d} AS day, ch.code AS channel, c.category, d.action, COALESCE(d.policy_code, '(none)') AS policy, "
        f"CASE WHEN d.action IN {FINAL_ACTIONS} THEN 1 ELSE 0 END AS is_final, "
        f"CASE WHEN {OVERRIDE.format(n='d.note')} THEN 1 ELSE 0 END AS is_override"
    )


_JOIN = 'JOIN "case" c ON c.id = d.case_id JOIN channel ch ON ch.id = c.channel_id'
_DAY_KEYS = "day, channel, category, action, policy, is_final, is_override"
_UNDO = "u.reverses_id = d.id {seen_u} AND u.action = 'undo' AND "

FOLD_STEPS = (
    # every new decision with its key, bucket and how it stands now
    "CREATE {temp} TABLE fold_rows {drop} AS SELECT d.id, d.case_id, d.created_at, d.reverses_id, {hour_d} AS hour, "
    + _key_of()
    + f", CASE WHEN d.handle_ms >= {CAP_MS} THEN 3600 ELSE COALESCE(d.handle_ms, 0) / 1000 END AS bucket, "
    "CASE WHEN EXISTS (SELECT 1 FROM decision u WHERE u.reverses_id = d.id {seen_u}) THEN 1 ELSE 0 END AS undone, "
    f"(SELECT COUNT(*) FROM decision u WHERE {_UNDO}NOT {OVERRIDE.format(n='u.note')}) AS undo_plain, "
    f"(SELECT COUNT(*) FROM decision u WHERE {_UNDO}{OVERRIDE.format(n='u.note')}) AS undo_over "
    f"FROM fold_d b {{cross}} decision d ON d.id = b.id {_JOIN}",
    _upsert("metrics_decision_day", _DAY_KEYS,
            {"n": "", "undone": "", "undo_plain": "", "undo_over": ""},
            "SELECT *, 1 AS n FROM fold_rows"),
    # undos (and overrides) of decisions folded by an earlier refresh
    _upsert("metrics_decision_day", _DAY_KEYS,
            {"n": "", "undone": "", "undo_plain": "", "undo_over": ""},
            "SELECT " + _key_of() + ", 0 AS n, CASE WHEN EXISTS (SELECT 1 FROM decision o WHERE o.reverses_id = x.tid {seen_o} "
            "AND o.id NOT IN (SELECT id FROM fold_d)) THEN 0 ELSE 1 END AS undone, x.undo_plain, x.undo_over "
            "FROM (SELECT reverses_id AS tid, "
            "SUM(CASE WHEN action = 'undo' AND is_override = 0 THEN 1 ELSE 0 END) AS undo_plain, "
            "SUM(CASE WHEN action = 'undo' AND is_override = 1 THEN 1 ELSE 0 END) AS undo_over FROM fold_rows "
            "WHERE reverses_id IS NOT NULL AND reverses_id NOT IN (SELECT id FROM fold_d) GROUP BY reverses_id) x "
            f"{{cross}} decision d ON d.id = x.tid {_JOIN}"),
    _upsert("metrics_decision_hour", "day, channel, category, hour", {"n": ""},
            "SELECT *, 1 AS n FROM fold_rows WHERE action NOT IN ('undo', 'note')"),
    _upsert("metrics_handle", "day, channel, category, action, bucket", {"n": ""},
            "SELECT *, 1 AS n FROM fold_rows WHERE action NOT IN ('undo', 'note')"),
    _upsert("metrics_handle_all", "day, action, bucket", {"n": ""},
            "SELECT *, 1 AS n FROM fold_rows WHERE action NOT IN ('undo', 'note')"),
    # new cases: due (SLA) and created (inflow)
    _upsert("metrics_sla", "day, channel, category, priority, hour", {"cases": ""},
            "SELECT {day_sla} AS day, {hour_sla} AS hour, ch.code AS channel, c.category, c.priority, 1 AS cases "
            "FROM fold_c b {cross} \"case\" c ON c.id = b.id JOIN channel ch ON ch.id = c.channel_id"),
    _upsert("metrics_flow", "day, channel, category", {"inflow": ""},
            "SELECT {day_c} AS day, ch.code AS channel, c.category, 1 AS inflow "
            "FROM fold_c b {cross} \"case\" c ON c.id = b.id JOIN channel ch ON ch.id = c.channel_id"),
    # cases whose first final decision is new or earlier than the one known
    "CREATE {temp} TABLE fold_first {drop} AS SELECT bf.case_id, m.first_at AS old_t, bf.t AS new_t FROM "
    "(SELECT case_id, MIN(created_at) AS t FROM fold_rows WHERE is_final = 1 GROUP BY case_id) bf "
    "LEFT JOIN metrics_case_first m ON m.case_id = bf.case_id WHERE m.first_at IS NULL OR bf.t < m.first_at",
    _upsert("metrics_sla", "day, channel, category, priority, hour", {"decided": "", "met": ""},
            "SELECT {day_sla} AS day, {hour_sla} AS hour, ch.code AS channel, c.category, c.priority, 1 AS decided, "
            "CASE WHEN f.new_t <= c.sla_deadline THEN 1 ELSE 0 END AS met "
            "FROM fold_first f {cross} \"case\" c ON c.id = f.case_id JOIN channel ch ON ch.id = c.channel_id "
            "UNION ALL SELECT {day_sla} AS day, {hour_sla} AS hour, ch.code AS channel, c.category, c.priority, -1 AS decided, "
            "CASE WHEN f.old_t <= c.sla_deadline THEN -1 ELSE 0 END AS met "
            "FROM fold_first f {cross} \"case\" c ON c.id = f.case_id JOIN channel ch ON ch.id = c.channel_id "
            "WHERE f.old_t IS NOT NULL"),
    _upsert("metrics_flow", "day, channel, category", {"outflow": ""},
            "SELECT {day_new} AS day, ch.code AS channel, c.category, 1 AS outflow "
            "FROM fold_first f {cross} \"case\" c ON c.id = f.case_id JOIN channel ch ON ch.id = c.channel_id "
            "UNION ALL SELECT {day_old} AS day, ch.code AS channel, c.category, -1 AS outflow "
            "FROM fold_first f {cross} \"case\" c ON c.id = f.case_id JOIN channel ch ON ch.id = c.channel_id "
            "WHERE f.old_t IS NOT NULL"),
    "INSERT INTO metrics_case_first (case_id, first_at) SELECT case_id, new_t FROM fold_first WHERE 1 = 1 "
    "ON CONFLICT (case_id) DO UPDATE SET first_at = excluded.first_at",
    # new reveals: exposure per reviewer and day
    _upsert("metrics_exposure", "day, reviewer_id", {"reveals": "", "weighted_ms": ""},
            "SELECT {day_r} AS day, r.reviewer_id, 1 AS reveals, r.duration_ms * r.severity AS weighted_ms "
            "FROM fold_r b {cross} reveal_event r ON r.id = b.id"),
)  # fmt: skip
