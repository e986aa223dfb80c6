"""Crypto-shredding: stored files encrypted under keys held outside the database, so that destroying a key reaches
every copy of the file, backups included (issue 16, item 4; docs/operations.md, "Keys and crypto-shredding").

A database backup, or a copy of the file store, outlives a disposal: restored, it would bring the family back. So
every stored file is sealed (AES-256-GCM, `sealed`) under a data key that lives only in the key store (`store`), a
directory outside the database and outside its backups (`EARLYHELP_FAMILY_KEY_DIR`). Destroying the key makes
every copy of the file, wherever it was kept, unreadable.

The keys, from the top:

* the master key (`EARLYHELP_MASTER_KEY` or `EARLYHELP_MASTER_KEY_FILE`), held in the environment or a secrets
  manager, never on disk beside the key store: it wraps (encrypts) each family's key, so a copy of the key store
  alone opens nothing;
* one key per family (`household-<id>/family.key`), created at the family's first stored file, wrapped by the
  master key. Disposal or anonymisation destroys it (`services.destroy_family_keys`);
* one key per stored document (`household-<id>/doc-<token>.key`), wrapped by its family's key. An erasure that
  removes one document destroys that document's key (`services.destroy_file_keys`), so the erasure reaches backups
  too while the rest of the family's documents stay readable. Grouping the documents' keys under the family key
  keeps disposal to one small file whose loss is enough, however many documents the family had;
* one key per partner file (`partner-files/file-<token>.key`), wrapped by the master key: its rows are about many
  families, so it belongs to none; the key goes when the stored file is deleted after its check.

Each wrapped key is bound (as AES-GCM associated data) to its own key id, and each sealed file to its key id, so a
key file moved into another family's directory, or a file presented under another key, fails to open rather than
opening the wrong thing. Keys are never cached: a key destroyed by one process is gone for every other at once.

Destroying a family's keys refuses a family under a legal hold (the retention app registers the check,
`services.register_hold_check`; with none registered nothing is destroyed), is audited (one event per key, naming
ids only) and happens when the caller's transaction commits, so a disposal that rolls back keeps its keys.
"""
