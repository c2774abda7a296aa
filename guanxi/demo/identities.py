"""Resident ID numbers, mobile numbers and email addresses, built as whole numpy arrays.

Strings are assembled as ASCII byte matrices and viewed as fixed-width byte strings, which
is far faster than formatting a million Python strings one by one.
"""

import numpy as np

# Mobile number blocks of China Mobile, China Unicom and China Telecom that libphonenumber
# treats as valid in full (every 8-digit subscriber number after them exists).
MOBILE_PREFIXES = np.array(
    [134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 157, 158, 159, 178, 182, 183, 184, 187]
    + [188, 198, 130, 131, 132, 145, 155, 156, 166, 175, 176, 185, 186, 133, 153, 173, 177]
    + [180, 181, 189, 191, 199],
    dtype=np.int64,
)
# ISO 7064 MOD 11-2 weights of the first 17 digits of a resident ID: 2**(17-i) mod 11.
_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_ZERO = ord("0")


def _write_digits(out: np.ndarray, values: np.ndarray) -> None:
    """Write the ASCII decimal digits of non-negative integers into the columns of ``out``."""
    values = values.astype(np.int64)
    for column in range(out.shape[1] - 1, -1, -1):
        out[:, column] = values % 10 + _ZERO
        values = values // 10


def _ascii_strings(matrix: np.ndarray) -> np.ndarray:
    """Rows of ASCII codes (uint8) as an array of Python strings."""
    rows = np.ascontiguousarray(matrix)
    return rows.view(f"S{rows.shape[1]}").ravel().astype(str).astype(object)


def resident_ids(
    region: np.ndarray, birthday: np.ndarray, male: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Valid 18-digit resident IDs: region code, birth date, sequence with gender, check digit.

    ``birthday`` is a ``datetime64[D]`` array; the sequence number is odd for men.
    """
    year = birthday.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birthday.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birthday - birthday.astype("datetime64[M]")).astype(np.int64) + 1
    sequence = rng.integers(0, 500, region.size) * 2 + male.astype(np.int64)
    out = np.empty((region.size, 18), dtype=np.uint8)
    _write_digits(out[:, :6], region)
    _write_digits(out[:, 6:14], year * 10000 + month * 100 + day)
    _write_digits(out[:, 14:17], sequence)
    check = (12 - ((out[:, :17] - _ZERO).astype(np.int64) @ _ID_WEIGHTS) % 11) % 11
    out[:, 17] = np.where(check == 10, ord("X"), check + _ZERO)
    return _ascii_strings(out)


def mobile_numbers(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """E.164 mobile numbers (as ``normalise_phone`` stores them) and their last four digits."""
    prefix = MOBILE_PREFIXES[rng.integers(0, MOBILE_PREFIXES.size, size)]
    out = np.empty((size, 14), dtype=np.uint8)
    out[:, :3] = np.frombuffer(b"+86", dtype=np.uint8)
    _write_digits(out[:, 3:], prefix * 100_000_000 + rng.integers(0, 100_000_000, size))
    return _ascii_strings(out), _ascii_strings(out[:, -4:])


def personal_emails(
    rng: np.random.Generator,
    pinyin: list[str],
    birth_year: np.ndarray,
    domains: tuple[tuple[str, float], ...],
) -> list[str]:
    """Email addresses people really use: pinyin with a year or number, or a QQ number."""
    names, weights = zip(*domains, strict=True)
    domain = np.array(names, dtype=object)[
        rng.choice(len(names), len(pinyin), p=np.array(weights) / sum(weights))
    ]
    style = rng.integers(0, 3, len(pinyin))
    number = rng.integers(1, 1000, len(pinyin))
    qq = rng.integers(10_000_000, 3_000_000_000, len(pinyin))
    emails = []
    for name, dom, kind, year, num, qq_number in zip(
        pinyin,
        domain,
        style.tolist(),
        birth_year.tolist(),
        number.tolist(),
        qq.tolist(),
        strict=True,
    ):
        if dom == "qq.com" and kind == 0:
            emails.append(f"{qq_number}@qq.com")
        elif kind == 1:
            emails.append(f"{name}{year}@{dom}")
        else:
            emails.append(f"{name}{num}@{dom}")
    return emails
