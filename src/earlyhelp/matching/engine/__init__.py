"""Record linkage: partner records to the council's person index (see `standardise`, being split by stage)."""

from .standardise import (
    DEFAULT_THRESHOLD,
    INPUT_COLUMNS,
    evaluate,
    febrl_to_input,
    link,
    predict,
    prepare,
    spark_session,
    train,
)

__all__ = ["DEFAULT_THRESHOLD", "INPUT_COLUMNS", "evaluate", "febrl_to_input", "link", "predict", "prepare",
           "spark_session", "train"]
