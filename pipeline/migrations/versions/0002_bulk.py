"""bulk reprocessing checkpoints

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bulk_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulk_runs_fingerprint"), ["fingerprint"], unique=False)
    op.create_table(
        "bulk_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["bulk_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "position", name="uq_bulk_item_position"),
    )
    with op.batch_alter_table("bulk_items", schema=None) as batch_op:
        batch_op.create_index("ix_bulk_items_run_state", ["run_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bulk_items", schema=None) as batch_op:
        batch_op.drop_index("ix_bulk_items_run_state")
    op.drop_table("bulk_items")
    with op.batch_alter_table("bulk_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulk_runs_fingerprint"))
    op.drop_table("bulk_runs")
