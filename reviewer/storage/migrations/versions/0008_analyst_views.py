"""analyst views: read-only SQL views over decisions, cases, SLA, exposure, throughput and breaks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The views are the stable surface for analysts (``reviewer sql``, docs/SQL.md) and for the metrics
figures (``reviewer.metrics``). Their names and columns are a contract: a later change adds columns,
never renames or drops one. They expose ids, codes, times, actions, policy codes, channels and
durations only: imported texts (report, reporter, item texts) are sealed at rest in a working copy and
are not in any view, nor are reviewers' free-text notes and rationales.

Times are UTC. ``day`` is ``YYYY-MM-DD`` text and ``hour`` an integer 0-23 on both dialects, so a query
grouping by them reads the same on SQLite and PostgreSQL; the expressions that compute them (and
durations in seconds) are written per dialect. Ids are the dialect's own (32 hex digits on SQLite, uuid
on PostgreSQL). Two indexes serve the date-range filters and the "was it undone" test.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Actions that close a case (a "final" decision); escalate, skip, note and undo do not.
FINAL_ACTIONS = "('keep', 'remove', 'restrict', 'warn', 'strike', 'suspend')"
VIEWS = ("v_decisions", "v_cases", "v_sla", "v_exposure", "v_throughput", "v_breaks", "v_flow")


def _dialect_parts(dialect: str) -> dict[str, str]:
    if dialect == "sqlite":  # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) as text
        return {
            "day_d": "substr(d.created_at, 1, 10)",
            "hour_d": "CAST(substr(d.created_at, 12, 2) AS INTEGER)",
            "day_c": "substr(c.created_at, 1, 10)",
            "day_r": "substr(r.started_at, 1, 10)",
            "day_b": "substr(b.started_at, 1, 10)",
            "day_f": "substr(f.first_decided_at, 1, 10)",
            "secs": "((julianday({a}) - julianday({b})) * 86400.0)",
            "now": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
            "revealed": "d.revealed",
        }
    return {
        "day_d": "to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "hour_d": "CAST(EXTRACT(HOUR FROM d.created_at AT TIME ZONE 'UTC') AS INTEGER)",
        "day_c": "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "day_r": "to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "day_b": "to_char(b.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "day_f": "to_char(f.first_decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "secs": "EXTRACT(EPOCH FROM ({a} - {b}))",
        "now": "CURRENT_TIMESTAMP",
        "true": "1",
        "false": "0",
        "revealed": "CASE WHEN d.revealed THEN 1 ELSE 0 END",
    }


def view_sql(dialect: str) -> dict[str, str]:
    """Each view's SELECT for ``dialect`` ("sqlite" or "postgresql")."""
    p = _dialect_parts(dialect)
    late = p["secs"].format(a="s.decided_at", b="s.sla_deadline")
    return {
        # One row per decision, undos included. is_undone: a later undo reverses it; is_override: written
        # by a lead's override (the undo of the replaced decision and the lead's new decision).
        "v_decisions": f"""
SELECT d.id AS decision_id, d.case_id, c.external_id AS case_external_id, ch.code AS channel,
       c.category, c.priority, d.reviewer_id, rv.handle AS reviewer_handle, rv.role AS reviewer_role,
       d.session_id, d.action, d.policy_code, d.policy_version, d.tier, d.to_tier,
       d.handle_ms, d.handle_ms / 1000.0 AS handle_s, {p["revealed"]} AS revealed,
       d.reverses_id, d.bulk_id, d.created_at, {p["day_d"]} AS day, {p["hour_d"]} AS hour,
       CASE WHEN d.action = 'undo' THEN 1 ELSE 0 END AS is_undo,
       CASE WHEN d.action IN {FINAL_ACTIONS} THEN 1 ELSE 0 END AS is_final,
       CASE WHEN EXISTS (SELECT 1 FROM decision u WHERE u.reverses_id = d.id) THEN 1 ELSE 0 END AS is_undone,
       CASE WHEN d.note LIKE 'lead override:%' THEN 1 ELSE 0 END AS is_override
FROM decision d
JOIN "case" c ON c.id = d.case_id
JOIN channel ch ON ch.id = c.channel_id
JOIN reviewer rv ON rv.id = d.reviewer_id""",
        # One row per case: its state and its first final decision (NULL while none).
        "v_cases": f"""
SELECT c.id AS case_id, c.external_id, ch.code AS channel, c.category, c.priority, c.status, c.tier,
       c.risk_rank, c.created_at, {p["day_c"]} AS day, c.sla_deadline,
       (SELECT MIN(f.created_at) FROM decision f
         WHERE f.case_id = c.id AND f.action IN {FINAL_ACTIONS}) AS first_decided_at,
       (SELECT COUNT(*) FROM decision n WHERE n.case_id = c.id) AS decisions
FROM "case" c
JOIN channel ch ON ch.id = c.channel_id""",
        # The SLA of every case: met / breached once decided (first final decision against the
        # deadline), breached while still undecided past it, neither while undecided before it.
        "v_sla": f"""
SELECT s.case_id, s.external_id, s.channel, s.category, s.priority, s.created_at, s.sla_deadline,
       s.first_decided_at AS decided_at,
       CASE WHEN s.first_decided_at IS NULL THEN 0 ELSE 1 END AS decided,
       CASE WHEN s.first_decided_at IS NOT NULL AND s.first_decided_at <= s.sla_deadline
            THEN 1 ELSE 0 END AS met,
       CASE WHEN s.first_decided_at > s.sla_deadline
              OR (s.first_decided_at IS NULL AND s.sla_deadline < {p["now"]}) THEN 1 ELSE 0 END AS breached,
       CASE WHEN s.first_decided_at IS NULL THEN NULL
            ELSE {late.replace("s.decided_at", "s.first_decided_at")} END AS late_s
FROM v_cases s""",
        # Revealed (unblurred) content per reviewer and day: raw and severity-weighted seconds.
        "v_exposure": f"""
SELECT r.reviewer_id, rv.handle AS reviewer_handle, {p["day_r"]} AS day, COUNT(*) AS reveals,
       SUM(r.duration_ms) / 1000.0 AS seconds,
       SUM(r.duration_ms * r.severity) / 1000.0 AS weighted_seconds
FROM reveal_event r
JOIN reviewer rv ON rv.id = r.reviewer_id
GROUP BY r.reviewer_id, rv.handle, {p["day_r"]}""",
        # Decisions per reviewer, day and hour (undos and notes not counted), with their handle time.
        "v_throughput": f"""
SELECT d.reviewer_id, rv.handle AS reviewer_handle, {p["day_d"]} AS day, {p["hour_d"]} AS hour,
       COUNT(*) AS decisions, SUM(d.handle_ms) / 1000.0 AS handle_s
FROM decision d
JOIN reviewer rv ON rv.id = d.reviewer_id
WHERE d.action NOT IN ('undo', 'note')
GROUP BY d.reviewer_id, rv.handle, {p["day_d"]}, {p["hour_d"]}""",
        # Breaks: kind, reason code and length (NULL while a break lasts or was never closed).
        "v_breaks": f"""
SELECT b.id AS break_id, b.reviewer_id, rv.handle AS reviewer_handle, b.session_id, b.kind, b.reason,
       b.started_at, b.ended_at, {p["day_b"]} AS day,
       CASE WHEN b.ended_at IS NULL THEN NULL ELSE {p["secs"].format(a="b.ended_at", b="b.started_at")} END
         AS duration_s
FROM break_record b
JOIN reviewer rv ON rv.id = b.reviewer_id""",
        # Inflow (cases created) and outflow (cases first decided) per day.
        "v_flow": f"""
SELECT day, SUM(inflow) AS inflow, SUM(outflow) AS outflow FROM (
  SELECT day, 1 AS inflow, 0 AS outflow FROM v_cases
  UNION ALL
  SELECT {p["day_f"]} AS day, 0 AS inflow, 1 AS outflow FROM v_cases f WHERE f.first_decided_at IS NOT NULL
) flow GROUP BY day""",
    }


def upgrade() -> None:
    op.create_index("ix_decision_created", "decision", ["created_at"])
    op.create_index("ix_decision_reverses", "decision", ["reverses_id"])
    op.create_index("ix_case_created", "case", ["created_at"])
    dialect = op.get_bind().dialect.name
    for name, select in view_sql(dialect).items():
        op.execute(f"CREATE VIEW {name} AS {select}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index("ix_case_created", "case")
    op.drop_index("ix_decision_reverses", "decision")
    op.drop_index("ix_decision_created", "decision")
