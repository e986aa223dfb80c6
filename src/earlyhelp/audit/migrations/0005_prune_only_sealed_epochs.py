"""On PostgreSQL the audit table still refuses UPDATE and any DELETE, except a DELETE of an event at or below the
newest sealed epoch's cut that the newest epoch does not hold (pruning at the end of the retention period, P4).
The database decides that from the sealed epochs themselves, which are append-only in the same way: neither a
sealed epoch nor its list of held events can be changed or deleted.

Someone with write access to the database could still add an epoch row to make a deletion pass: it would have no
checkpoint signed with the chain key (held outside the database), and `verify_audit_chain` fails on it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    newest_id bigint;
    newest_cut bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT id, cut_sequence INTO newest_id, newest_cut
            FROM audit_sealedepoch ORDER BY cut_sequence DESC LIMIT 1;
        IF newest_id IS NOT NULL AND OLD.sequence <= newest_cut AND NOT EXISTS (
                SELECT 1 FROM audit_epochheldevent WHERE epoch_id = newest_id AND sequence = OLD.sequence) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: %% refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_epoch_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'sealed audit epochs are append-only: %% refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_sealedepoch_append_only
    BEFORE UPDATE OR DELETE ON audit_sealedepoch
    FOR EACH ROW EXECUTE FUNCTION audit_epoch_append_only();
CREATE TRIGGER audit_epochheldevent_append_only
    BEFORE UPDATE OR DELETE ON audit_epochheldevent
    FOR EACH ROW EXECUTE FUNCTION audit_epoch_append_only();
"""

# Back to migration 0003's function: every UPDATE and DELETE refused.
DROP = """
DROP TRIGGER IF EXISTS audit_sealedepoch_append_only ON audit_sealedepoch;
DROP TRIGGER IF EXISTS audit_epochheldevent_append_only ON audit_epochheldevent;
DROP FUNCTION IF EXISTS audit_epoch_append_only();
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: %% refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_sealed_epochs")]
    operations = [migrations.RunPython(forwards, backwards)]
