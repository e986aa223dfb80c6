"""The model: comparisons and blocking rules, and how Splink numbers their levels.

Splink is imported inside the functions that use it, here and in the other stages: the web app imports the engine
through `matching.linkage`, and should not load Splink (and DuckDB) until a linkage run needs them.
"""

import numpy as np
import pandas as pd

MODEL_VERSION = 1

# Plain-English names for the explanation shown to reviewers.
COMPARISON_LABELS = {"given_name": "Given name", "family_name": "Family name", "date_of_birth": "Date of birth",
                     "address": "Address", "nhs_number": "NHS number", "ni_number": "National Insurance number",
                     "upn": "Unique pupil number", "pnc": "Police National Computer ID"}
IDENTIFIERS = (("nhs_number", "nhs"), ("ni_number", "ni"), ("upn", "upn"), ("pnc", "pnc"))


def _comparisons():
    import splink.comparison_level_library as cll  # loaded when first used: see the module docstring
    import splink.comparison_library as cl

    def null(*cols):
        return cll.CustomLevel(" or ".join(f"{c}_l is null or {c}_r is null" for c in cols),
                               "Missing on one side").configure(is_null_level=True)

    def level(sql, label, **kwargs):
        return cll.CustomLevel(sql, label, base_dialect_str="duckdb").configure(**kwargs)

    given = cl.CustomComparison(output_column_name="given_name", comparison_levels=[
        null("given"),
        level("given_l = given_r", "Exact match", tf_adjustment_column="given"),
        cll.ArrayIntersectLevel("given_group", 1).configure(label_for_charts="Nickname or other spelling"),
        cll.DamerauLevenshteinLevel("given", 1).configure(label_for_charts="One letter different"),
        level("given_l = family_r or family_l = given_r", "Swapped with family name"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    family = cl.CustomComparison(output_column_name="family_name", comparison_levels=[
        null("family"),
        level("family_l = family_r", "Exact match", tf_adjustment_column="family"),
        cll.DamerauLevenshteinLevel("family", 1).configure(label_for_charts="One letter different"),
        cll.Or(cll.ArrayIntersectLevel("family_parts", 1),
               level("least(length(family_l), length(family_r)) >= 4 and (strpos(family_l, family_r) > 0 "
                     "or strpos(family_r, family_l) > 0)", "contains")
               ).configure(label_for_charts="Shares part of a double-barrelled name"),
        level("given_l = family_r or family_l = given_r", "Swapped with given name"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    dob = cl.CustomComparison(output_column_name="date_of_birth", comparison_levels=[
        null("dob"),
        level("dob_l = dob_r", "Exact match"),
        level("dob_l = dob_swap_r", "Day and month swapped"),
        cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="One digit different"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    address = cl.CustomComparison(output_column_name="address", comparison_levels=[
        # Null unless at least one part (postcode or first line) is on both sides.
        cll.CustomLevel("(pc_l is null or pc_r is null) and (addr_l is null or addr_r is null)",
                        "Missing on one side").configure(is_null_level=True),
        level("pc_l = pc_r and addr_l = addr_r", "Same first line and postcode"),
        level("pc_l = pc_r and addr_num_l = addr_num_r", "Same postcode and house number"),
        level("pc_l = pc_r", "Same postcode"),
        level("addr_l = addr_r", "Same first line, different postcode"),
        level("pc_sector_l = pc_sector_r", "Same postcode sector"),
        level("pc_district_l = pc_district_r", "Same postcode district"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    identifiers = [cl.CustomComparison(output_column_name=name, comparison_levels=[
        null(col), level(f"{col}_l = {col}_r", "Exact match"), cll.ElseLevel().configure(label_for_charts="Different"),
    ]) for name, col in IDENTIFIERS]
    return [given, family, dob, address, *identifiers]


# Blocking for prediction: every rule is an equi-join on person-level keys, so 1M x 1M stays small.
PREDICT_BLOCKING = (
    "l.nhs = r.nhs", "l.ni = r.ni", "l.upn = r.upn", "l.pnc = r.pnc",
    "l.dob = r.dob and l.family_key = r.family_key",
    "l.dob = r.dob and l.given_key = r.given_key",
    "l.dob = r.dob and l.pc = r.pc",
    "l.dob = r.dob_swap and l.family_key = r.family_key",
    "l.given = r.given and l.family = r.family and l.pc_district = r.pc_district",
    "l.pc = r.pc and l.given_key = r.given_key",
    "l.pc = r.pc and l.family_key = r.family_key",
    "l.addr = r.addr and l.given_key = r.given_key",
    "l.given = r.given and l.family = r.family and l.dob_year = r.dob_year",
    "l.given = r.family and l.family = r.given",
)
# EM blocks: about the person, never the household (see the package docstring).
EM_BLOCKS = (("date_of_birth", "l.dob = r.dob and l.em_key = r.em_key"),
             ("full_name", "l.given = r.given and l.family = r.family and l.em_key = r.em_key"))
U_BLOCK = "l.u_key = r.u_key"


def settings_creator(blocking_rules, *, retain=False):
    from splink import SettingsCreator

    return SettingsCreator(link_type="link_only", comparisons=_comparisons(),
                           blocking_rules_to_generate_predictions=list(blocking_rules),
                           retain_matching_columns=retain, retain_intermediate_calculation_columns=retain,
                           unique_id_column_name="unique_id", probability_two_random_records_match=1e-4)


def comparison_levels(settings_dict) -> list[tuple[str, list[dict]]]:
    """(comparison name, its non-null levels) in order; gamma value = position counted from the last."""
    out = []
    for comparison in settings_dict["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        out.append((comparison["output_column_name"], levels))
    return out


class Structure:
    """Comparison levels and how Splink numbers them (gamma), read from the Settings object."""

    def __init__(self, settings_dict: dict):
        from splink.internals.settings_creator import SettingsCreator

        settings_dict = {key: value for key, value in settings_dict.items() if key != "earlyhelp"}
        settings = SettingsCreator.from_path_or_dict(settings_dict).get_settings("duckdb")
        self.names, self.gammas, self.labels = [], [], []
        for comparison in settings.comparisons:
            levels = comparison._comparison_levels_excluding_null
            self.names.append(comparison.output_column_name)
            self.gammas.append([int(lv.comparison_vector_value) for lv in levels])
            self.labels.append([lv.label_for_charts for lv in levels])
        self.gamma_columns = [f"gamma_{name}" for name in self.names]

    def level_index(self, k: int, gamma: np.ndarray) -> np.ndarray:
        """Position in the non-null level list for each gamma value; -1 for null."""
        lookup = {g: i for i, g in enumerate(self.gammas[k])}
        return np.array([lookup.get(int(g), -1) for g in gamma], dtype=np.int64)

    def index_matrix(self, counts: pd.DataFrame) -> np.ndarray:
        return np.stack([self.level_index(k, counts[col].to_numpy()) for k, col in enumerate(self.gamma_columns)],
                        axis=1) if len(counts) else np.zeros((0, len(self.names)), dtype=np.int64)
