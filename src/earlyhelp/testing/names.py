"""Names for test records. A person's name holds no digits (the person-name rule, `earlyhelp.records.text`), so a
numbered test person is numbered in letters."""


def name_suffix(number: int) -> str:
    """`number` in letters: 0 → "a", 1 → "b", 25 → "z", 26 → "ba"."""
    digits = ""
    while True:
        number, remainder = divmod(number, 26)
        digits = chr(ord("a") + remainder) + digits
        if not number:
            return digits
