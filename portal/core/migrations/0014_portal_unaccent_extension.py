"""portal_unaccent() becomes the usual IMMUTABLE wrapper of PostgreSQL's `unaccent` extension.

Migration 0006 wrote it by hand because the embedded PostgreSQL of the time had no contrib
modules; the one embedded now, like Debian's and docker's, ships `unaccent` (a trusted
extension since PostgreSQL 13: the database's owner may create it). unaccent() itself is only
STABLE (its dictionary could change), so it cannot go into an index or a generated column: the
wrapper names the dictionary and the schema and is declared IMMUTABLE. The function keeps its
name, so no caller changes.

unaccent folds more than 0006 did (ß → ss, ł → l, « → <<, ﬁ → fi, the typographic apostrophe,
an accent typed as a combining mark), so what the database stored with the old body is computed
again: every index whose definition calls the function is rebuilt, and the stored generated
columns calling it are recomputed by setting the columns they are computed from to themselves
(PostgreSQL recomputes a stored generated column only when one of those is updated). Both are
found in the catalogue, so a column or an index added later is not forgotten.
"""

import importlib

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

HAND_MADE = importlib.import_module("portal.core.migrations.0006_portal_unaccent").CREATE

WRAPPER = """
CREATE OR REPLACE FUNCTION portal_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN public.unaccent('public.unaccent'::regdictionary, value);
"""

# Per table, the columns its generated columns calling portal_unaccent() are computed from.
GENERATED_FROM = """
SELECT c.table_schema, c.table_name, array_agg(DISTINCT u.column_name::text)
FROM information_schema.columns c
JOIN information_schema.column_column_usage u ON (u.table_schema, u.table_name, u.dependent_column)
  = (c.table_schema, c.table_name, c.column_name)
WHERE c.is_generated = 'ALWAYS' AND c.generation_expression LIKE '%portal_unaccent(%'
GROUP BY c.table_schema, c.table_name
"""
INDEXES = "SELECT schemaname, indexname FROM pg_indexes WHERE indexdef LIKE '%portal_unaccent(%'"


def stored_folds_recompute(schema_editor) -> None:
    """Compute again what the database stored with portal_unaccent()'s previous body."""
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(GENERATED_FROM)
        for schema, table, columns in cursor.fetchall():
            same = ", ".join(f"{quote(column)} = {quote(column)}" for column in columns)
            cursor.execute(f"UPDATE {quote(schema)}.{quote(table)} SET {same}")  # noqa: S608
        cursor.execute(INDEXES)
        for schema, index in cursor.fetchall():
            cursor.execute(f"REINDEX INDEX {quote(schema)}.{quote(index)}")


def fold_with_unaccent(apps, schema_editor) -> None:
    schema_editor.execute(WRAPPER)
    stored_folds_recompute(schema_editor)


def fold_by_hand(apps, schema_editor) -> None:
    schema_editor.execute(HAND_MADE)
    stored_folds_recompute(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0013_outgoing_mail")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(fold_with_unaccent, fold_by_hand),
    ]
