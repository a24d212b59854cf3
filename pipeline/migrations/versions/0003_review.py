"""review app and upload API tables

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("review_users.id"), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("insured_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=64), sa.ForeignKey("originals.sha256"),
                  nullable=False),
        sa.Column("insured_id", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "insured_id", name="uq_upload_doc_insured"),
    )
    op.create_index("ix_uploads_state", "uploads", ["state", "id"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("review_items.id"), nullable=True),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_audit_item_id", "review_audit", ["item_id"])
    op.create_table(
        "review_outcomes",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("review_items.id"), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("eur", sa.JSON(), nullable=True),
        sa.Column("coverage", sa.JSON(), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_index("ix_review_outcomes_document_id", "review_outcomes", ["document_id"])
    op.create_table(
        "review_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("review_items.id"), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("predicted", sa.JSON(), nullable=True),
        sa.Column("corrected", sa.JSON(), nullable=True),
        sa.Column("confidence", sa.JSON(), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_corrections_document_id", "review_corrections", ["document_id"])
    op.create_table(
        "review_item_facts",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("review_items.id"), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("treatment_type", sa.String(length=64), nullable=True),
        sa.Column("eur_amount", sa.Numeric(18, 2), nullable=True),
        sa.PrimaryKeyConstraint("item_id"),
    )
    for col in ("country", "treatment_type", "eur_amount"):
        op.create_index(f"ix_review_item_facts_{col}", "review_item_facts", [col])
    # The queue's default order (state, priority desc, age) and the age filter.
    op.create_index("ix_review_items_state_created", "review_items", ["state", "created_at"])
    active = sa.text("state IN ('open', 'claimed')")
    op.create_index("ix_review_items_queue_order", "review_items",
                    [sa.text("priority DESC"), "created_at", "id"],
                    postgresql_where=active, sqlite_where=active)
    _append_only_trigger()


def _append_only_trigger() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION review_audit_append_only() RETURNS trigger AS $$ "
                   "BEGIN RAISE EXCEPTION 'review_audit is append-only'; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER review_audit_no_change BEFORE UPDATE OR DELETE ON review_audit "
                   "FOR EACH ROW EXECUTE FUNCTION review_audit_append_only()")
    elif bind.dialect.name == "sqlite":
        for what in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER review_audit_no_{what.lower()} BEFORE {what} ON review_audit "
                       "BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS review_audit_no_change ON review_audit")
        op.execute("DROP FUNCTION IF EXISTS review_audit_append_only()")
    op.drop_index("ix_review_items_queue_order", table_name="review_items")
    op.drop_index("ix_review_items_state_created", table_name="review_items")
    for table in ("review_item_facts", "review_corrections", "review_outcomes", "review_audit", "uploads", "api_keys",
                  "review_sessions", "review_users"):
        op.drop_table(table)
