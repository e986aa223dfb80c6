"""Backends: one DuckDB or Spark session per call, Splink's linker on it, and comparison pattern counts.

Splink, DuckDB and PySpark are imported inside the functions that use them: the web app imports the engine through
`matching.linkage`, and should not load them until a linkage run needs them.
"""

import itertools
import logging
import os
import tempfile

import pandas as pd
import pyarrow as pa

BACKENDS = ("duckdb", "spark")
SPARK_PERSIST_BELOW_ROWS = 2_000_000  # per side, per predict chunk (memory)


def _quiet():
    """Splink sets its own loggers to INFO on import (SQL and timings): keep them to warnings."""
    import splink  # noqa: F401

    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.WARNING)


_TABLE_NUMBERS = itertools.count(1)


class Session:
    """One backend connection for one call: registers the prepared tables, runs Splink, cleans up."""

    def __init__(self, backend: str, rows: int = 0):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        self.backend = backend
        _quiet()
        self._tmp = tempfile.TemporaryDirectory(prefix="earlyhelp-linkage-")
        if backend == "duckdb":
            import duckdb
            from splink import DuckDBAPI

            # Two threads and a memory cap (spilling to a temp directory) keep 1M x 1M under 4 GB.
            self._con = duckdb.connect(config={"threads": 2, "memory_limit": os.environ.get(
                "EARLYHELP_LINKAGE_DUCKDB_MEMORY", "2500MB"), "temp_directory": self._tmp.name,
                "preserve_insertion_order": False})
            self.db_api = DuckDBAPI(connection=self._con)
        else:
            from splink.backends.spark import SparkAPI

            self.spark = spark_session()
            # Keeping intermediate tables in memory (not writing Parquet) makes small runs several times faster;
            # large ones write to the checkpoint directory so a lost executor does not recompute everything.
            lineage = "persist" if rows < SPARK_PERSIST_BELOW_ROWS else "parquet"
            self.db_api = SparkAPI(spark_session=self.spark, break_lineage_method=lineage,
                                   num_partitions_on_repartition=max(
                                       1, int(self.spark.conf.get("spark.sql.shuffle.partitions", "4"))))

    def register(self, table: pa.Table, display_name: str):
        data = self.spark.createDataFrame(table) if self.backend == "spark" else table
        # Spark's temporary views outlive this session: a fresh name each time.
        return self.db_api.register(data, dataset_display_name=display_name,
                                    table_name=f"{display_name}_{next(_TABLE_NUMBERS)}")

    def close(self):
        if self.backend == "duckdb":
            self._con.close()
        self._tmp.cleanup()


def spark_session():
    """The active SparkSession, or a small local one with Splink's similarity functions."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:  # pragma: no cover - depends on the machine
        raise RuntimeError("The Spark backend needs pyspark: `uv sync` installs it (and Java 17+ on the PATH)") from error
    spark = SparkSession.getActiveSession()
    if spark is None:
        spark = (SparkSession.builder.master(os.environ.get("EARLYHELP_SPARK_MASTER", "local[2]"))
                 .appName("earlyhelp-linkage")
                 .config("spark.jars", similarity_jar_location())
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "4")
                 .config("spark.default.parallelism", "4")
                 .config("spark.sql.adaptive.enabled", "true")
                 .config("spark.driver.memory", os.environ.get("EARLYHELP_SPARK_DRIVER_MEMORY", "2g"))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
    if spark.sparkContext._jsc.sc().getCheckpointDir().isEmpty():
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="earlyhelp-spark-checkpoints-"))
    return spark


def make_linker(session: Session, people_sdf, records_sdf, settings: dict):
    from splink import Linker

    return Linker([people_sdf, records_sdf], settings, validate_settings=False, log_level=None)


def gamma_counts(session: Session, linker, gamma_columns: list[str], blocked=None) -> pd.DataFrame:
    """How many blocked pairs fall into each combination of comparison levels: integers, same on every backend."""
    from splink.internals.comparison_vector_values import (
        compute_comparison_vector_values_from_id_pairs_sqls,
    )
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    own_blocked = blocked is None
    if own_blocked:
        blocked = linker.inference.compute_blocked_pairs_for_predict()
    pipeline = CTEPipeline([blocked])
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
        settings._columns_to_select_for_blocking, settings._columns_to_select_for_comparison_vector_values,
        input_tablename_l="__splink__df_concat_with_tf", input_tablename_r="__splink__df_concat_with_tf",
        source_dataset_input_column=settings.column_info_settings.source_dataset_input_column,
        unique_id_input_column=settings.column_info_settings.unique_id_input_column,
        link_type=settings._link_type, sql_dialect_str=linker._sql_dialect_str))
    cols = ", ".join(gamma_columns)
    pipeline.enqueue_sql(f"select {cols}, count(*) as n from __splink__df_comparison_vectors group by {cols}",
                         "__splink__gamma_counts")
    result = session.db_api.sql_pipeline_to_splink_dataframe(pipeline)
    frame = result.as_pandas_dataframe()
    result.drop_table_from_database_and_remove_from_cache()
    if own_blocked:
        blocked.drop_table_from_database_and_remove_from_cache()
    frame = frame.astype({c: "int64" for c in [*gamma_columns, "n"]})
    return frame.sort_values(gamma_columns, kind="stable").reset_index(drop=True)
