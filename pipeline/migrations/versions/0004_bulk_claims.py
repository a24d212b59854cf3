"""bulk items: indexes for claiming pending items in order and finding a run's earlier twin

Revision ID: 0004
Revises: 0002
"""
from alembic import op


revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (run_id, state, id): a claim reads the first pending ids of a run straight off the index,
    # on SQLite and on PostgreSQL, however many items of the run are done already
    with op.batch_alter_table("bulk_items", schema=None) as batch_op:
        batch_op.drop_index("ix_bulk_items_run_state")
        batch_op.create_index("ix_bulk_items_claim", ["run_id", "state", "id"], unique=False)
        # the same bytes earlier in the run: without it each document scanned the run's done
        # items (~7 ms per document at 50,000 done, growing with the run)
        batch_op.create_index("ix_bulk_items_document", ["run_id", "document_id", "state"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bulk_items", schema=None) as batch_op:
        batch_op.drop_index("ix_bulk_items_document")
        batch_op.drop_index("ix_bulk_items_claim")
        batch_op.create_index("ix_bulk_items_run_state", ["run_id", "state"], unique=False)
