"""one open case per citizen, kept by the database: the API writes a case row in a short
transaction of its own before it starts the workflow, and two requests for the same citizen
at once must not both succeed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("stage != 'closed'")


def upgrade() -> None:
    op.create_index(
        "ux_case_open_citizen",
        "case",
        ["citizen_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ux_case_open_citizen", table_name="case")
