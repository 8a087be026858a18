"""Produce ``data/co2_monthly.csv`` from the weekly Mauna Loa CO2 series bundled with statsmodels.

Source: ``statsmodels.datasets.co2`` (statsmodels 0.15.0, file ``co2.csv``): weekly
atmospheric CO2 concentrations (ppmv) from continuous air samples at Mauna Loa
Observatory, Hawaii, 1958-03-29 to 2001-12-29, 2284 weeks, 59 of them missing; from
http://cdiac.ornl.gov/trends/co2/sio-keel-flask/sio-keel-flaskmlo_c.html (Keeling, C.D. and
T.P. Whorf, 2004, Scripps Institution of Oceanography / CDIAC); statsmodels marks the data
"public domain".

Each calendar month's value is the mean of the non-missing weekly values dated in it
(``weeks`` says how many); the 5 months without any (1958-06, 1958-10, 1964-02 to 1964-04)
are interpolated linearly between the neighbouring monthly means (``weeks`` = 0). Values are
rounded to 3 decimals. Run from the checkout root::

    python scripts/make_co2_monthly.py
"""

import csv
from pathlib import Path

import numpy as np
import statsmodels.datasets.co2 as co2

SOURCE = Path(co2.__file__).parent / "co2.csv"
TARGET = Path(__file__).resolve().parents[1] / "data" / "co2_monthly.csv"


def monthly_means() -> tuple[list[str], np.ndarray, list[int]]:
    sums: dict[str, list[float]] = {}
    with open(SOURCE, newline="") as handle:
        for row in csv.DictReader(handle):
            month = f"{row['date'][:4]}-{row['date'][4:6]}"
            sums.setdefault(month, [])
            if row["co2"].strip():
                sums[month].append(float(row["co2"]))
    first, last = min(sums), max(sums)
    months = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts = [len(sums.get(m, [])) for m in months]
    values = np.array(
        [np.mean(sums[m]) if c else np.nan for m, c in zip(months, counts, strict=True)]
    )
    known = ~np.isnan(values)
    positions = np.arange(len(values))
    values[~known] = np.interp(positions[~known], positions[known], values[known])
    return months, values, counts


def main() -> None:
    months, values, counts = monthly_means()
    with open(TARGET, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["month", "co2", "weeks"])
        for month, value, count in zip(months, values, counts, strict=True):
            writer.writerow([month, f"{value:.3f}", count])
    print(f"{TARGET}: {len(months)} months, {months[0]} to {months[-1]}")


if __name__ == "__main__":
    main()
