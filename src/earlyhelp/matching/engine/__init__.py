"""Record linkage: partner records to the council's person index, with Splink 5 on DuckDB or Apache Spark.

    result = link(records, people, backend="duckdb")       # train, then score every blocked pair
    result.predictions.pairs()                             # record_id, person_id, match_probability, match_weight
    for candidate in result.predictions.candidates(): ...  # with a plain-English explanation

One module per stage: `standardise` (the columns both backends compare), `comparisons` (the model's comparisons
and blocking rules), `backends` (DuckDB and Spark sessions), `training`, `prediction`, and `explain` (what a
reviewer is shown about each candidate).

Design, and why:

* Standardisation happens in Python, before either backend sees the data (case, punctuation, postcode
  format, identifier check digits, street abbreviations, nickname groups), so both backends compare exactly
  the same strings.
* Splink does the blocking, the comparison vectors, the term-frequency tables and the scoring. Training is
  done from *counts* of comparison vectors (integers, the same on every backend) with a small numpy EM, and
  the samples it uses are drawn in Python from a seeded generator. So DuckDB and Spark learn the same model
  to the last bit, and score pairs with it to ~1e-15.
* The household trap: family members share a surname, an address and (twins) a date of birth. EM is trained
  on person-level blocks (date of birth; full name), never on address; the address is ONE comparison; the
  given-name comparison is what tells twins apart, with a nickname level so Bill still matches William.
* Nothing personal is logged or put into an exception message.
"""

from earlyhelp.lazy_imports import lazy_exports

# pandas, pyarrow, DuckDB and Splink take seconds to import: the engine loads when a linkage first needs it, not when
# a web worker starts (most pages never match anyone).
_WHERE = {"DEFAULT_THRESHOLD": "prediction", "evaluate": "prediction", "link": "prediction", "predict": "prediction",
          "INPUT_COLUMNS": "standardise", "train": "training"}


__getattr__ = lazy_exports(__name__, _WHERE)


__all__ = ["DEFAULT_THRESHOLD", "INPUT_COLUMNS", "evaluate", "link", "predict", "train"]
