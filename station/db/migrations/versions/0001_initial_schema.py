"""Initial schema: station meta, accounts, households, individuals, documents, needs, photos, prints, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:49:35.942192
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('station', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id'),
    sa.UniqueConstraint('station', 'seq', name='uq_audit_station_seq')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_entity_id'), ['entity_id'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration_number', sa.String(length=24), nullable=False),
    sa.Column('site_code', sa.String(length=8), nullable=False),
    sa.Column('station_number', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=False),
    sa.Column('origin_governorate', sa.String(length=128), nullable=False),
    sa.Column('origin_district', sa.String(length=128), nullable=False),
    sa.Column('origin_place', sa.String(length=256), nullable=False),
    sa.Column('origin_key', sa.String(length=512), nullable=False),
    sa.Column('arrival_point', sa.String(length=128), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('head_name_ar', sa.String(length=512), nullable=False),
    sa.Column('head_name_lat', sa.String(length=512), nullable=False),
    sa.Column('card_issue', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('registration_number')
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_arrived_at'), ['arrived_at'], unique=False)
        batch_op.create_index('ix_households_status_arrived', ['status', 'arrived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_updated_at'), ['updated_at'], unique=False)

    op.create_table('sequences',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('next_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('station_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('individuals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('given_ar', sa.String(length=128), nullable=False),
    sa.Column('father_ar', sa.String(length=128), nullable=False),
    sa.Column('grandfather_ar', sa.String(length=128), nullable=False),
    sa.Column('family_ar', sa.String(length=128), nullable=False),
    sa.Column('given_lat', sa.String(length=128), nullable=False),
    sa.Column('father_lat', sa.String(length=128), nullable=False),
    sa.Column('grandfather_lat', sa.String(length=128), nullable=False),
    sa.Column('family_lat', sa.String(length=128), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('relationship_to_head', sa.String(length=24), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_date_estimated', sa.Boolean(), nullable=False),
    sa.Column('nationality', sa.String(length=3), nullable=False),
    sa.Column('marital_status', sa.String(length=16), nullable=False),
    sa.Column('field_sources', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('individuals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_individuals_household_id'), ['household_id'], unique=False)

    op.create_table('name_tokens',
    sa.Column('token', sa.String(length=128).with_variant(sa.String(length=128, collation='C'), 'postgresql'),
              nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', 'household_id')
    )
    with op.batch_alter_table('name_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_name_tokens_household_token', ['household_id', 'token'], unique=False)

    op.create_table('print_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('individual_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('issue_number', sa.Integer(), nullable=False),
    sa.Column('reprint', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('printer', sa.String(length=128), nullable=False),
    sa.Column('job_ref', sa.String(length=64), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.Column('printed_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_records_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_records_printed_at'), ['printed_at'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('individual_id', sa.String(length=36), nullable=False),
    sa.Column('doc_type', sa.String(length=24), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issuing_country', sa.String(length=3), nullable=False),
    sa.Column('expiry', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('image_jpeg', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['individual_id'], ['individuals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_individual_id'), ['individual_id'], unique=False)

    op.create_table('photos',
    sa.Column('individual_id', sa.String(length=36), nullable=False),
    sa.Column('jpeg', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('quality', sa.JSON(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('taken_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['individual_id'], ['individuals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('individual_id')
    )
    op.create_table('specific_needs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('individual_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['individual_id'], ['individuals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('specific_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_specific_needs_individual_id'), ['individual_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('specific_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_specific_needs_individual_id'))

    op.drop_table('specific_needs')
    op.drop_table('photos')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_individual_id'))

    op.drop_table('documents')
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_records_printed_at'))
        batch_op.drop_index(batch_op.f('ix_print_records_household_id'))

    op.drop_table('print_records')
    with op.batch_alter_table('name_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_name_tokens_household_token')

    op.drop_table('name_tokens')
    with op.batch_alter_table('individuals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_individuals_household_id'))

    op.drop_table('individuals')
    op.drop_table('station_meta')
    op.drop_table('sequences')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_updated_at'))
        batch_op.drop_index('ix_households_status_arrived')
        batch_op.drop_index(batch_op.f('ix_households_arrived_at'))

    op.drop_table('households')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    op.drop_table('accounts')
