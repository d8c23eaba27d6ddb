"""The migration list: numbered, ascending, each applied once."""
from __future__ import annotations

from storage.db import open_db
from storage.migrations import MIGRATIONS


def test_migration_numbers_ascend_with_only_the_known_gap():
    versions = [version for version, _name, _step in MIGRATIONS]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    missing = set(range(1, versions[-1] + 1)) - set(versions)
    assert missing == {8}  # skipped when 9 was written; stored databases keep 9-11 under their numbers


def test_every_migration_is_recorded_once(tmp_path):
    db = open_db(tmp_path / "x.db")
    recorded = [row["version"] for row in db["schema_migrations"].rows]
    assert recorded == [version for version, _name, _step in MIGRATIONS]
    open_db(tmp_path / "x.db")
    assert [row["version"] for row in db["schema_migrations"].rows] == recorded


def test_the_documents_table_has_a_column_for_every_record_field(tmp_path):
    from core.record import CLASSIFICATION_FIELDS, EXTRA_FIELDS, JSON_FIELDS, RECORD_FIELDS

    columns = open_db(tmp_path / "x.db")["documents"].columns_dict
    assert set(RECORD_FIELDS + EXTRA_FIELDS + CLASSIFICATION_FIELDS) <= set(columns)
    assert all(columns[name] is str for name in JSON_FIELDS)
