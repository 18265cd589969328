from django.db import migrations

# Accent folding for French full-text search, as an IMMUTABLE function so it can be used
# in generated columns and indexes. The `unaccent` extension would do the same but is not
# installed on every server (the embedded PostgreSQL has no contrib modules).
CREATE = """
CREATE OR REPLACE FUNCTION portal_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT replace(replace(replace(replace(translate(value,
    'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿžÀÁÂÃÄÅĀÇĆČÈÉÊËĒĖĘÌÍÎÏĪÑŃÒÓÔÕÖØŌÙÚÛÜŪÝŸŽ',
    'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyzAAAAAAACCCEEEEEEEIIIIINNOOOOOOOUUUUUYYZ'),
    'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0005_seed_themes")]

    operations = [
        migrations.RunSQL(CREATE, "DROP FUNCTION IF EXISTS portal_unaccent(text);"),
    ]
