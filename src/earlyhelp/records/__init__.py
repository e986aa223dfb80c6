"""What every record carries, below every app that holds one: its provenance (P17, `provenance`) and its
place in the personal-data inventory (`inventory`), which each app declares in its own `personal_data.py`."""
