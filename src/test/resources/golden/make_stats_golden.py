# Writes stats.v1.json, the reference values the dev.tfblend.stats tests compare against.
# Run from this directory: /usr/bin/python3 make_stats_golden.py  (numpy and scipy; versions are stamped).
#
# Independent of the Java code: means, standard deviations and t intervals from numpy/scipy.special,
# paired t from scipy.stats.ttest_rel, sign test from scipy.stats.binomtest, and the Wilcoxon
# signed-rank p-value from scipy.stats.wilcoxon where scipy is exact (no zeros, no ties, n <= 50)
# or uses its normal approximation (n > 50). With zeros or ties, where scipy 1.10 is not exact,
# the expected value comes from brute-force enumeration of all 2^n sign assignments of the
# midranks of the non-zero differences (zeros dropped); scipy's own value is kept beside it as
# "scipy_wilcoxon_p" for information only.
import itertools
import json
import warnings

import numpy as np
import scipy
from scipy import special, stats


def none_if_nan(x):
    x = float(x)
    return None if np.isnan(x) else x


def t975(df):
    # The 0.975 quantile of Student's t through the inverse regularized incomplete beta function:
    # P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2). Not stats.t.ppf: in scipy 1.10 it is accurate to
    # only about 1e-9 (df = 59: 2.00099537705 against 2.000995378088268 from 40-digit mpmath),
    # while this agrees with mpmath to about 1e-15.
    x = special.betaincinv(df / 2.0, 0.5, 0.05)
    return float(np.sqrt(df * (1.0 - x) / x))


def t_interval(v):
    m, se = float(np.mean(v)), float(stats.sem(v))
    half = t975(len(v) - 1) * se
    return [m - half, m + half]


def summary(values):
    v = np.asarray(values, dtype=float)
    n = len(v)
    out = {"values": list(map(float, v)), "n": n, "mean": float(np.mean(v))}
    if n >= 2:
        sd = float(np.std(v, ddof=1))
        out.update(sd=sd, ci95=t_interval(v))
    else:
        out.update(sd=None, ci95=None)
    return out


def brute_force_wilcoxon(d):
    d = np.asarray([x for x in d if x != 0.0])
    n = len(d)
    if n == 0:
        return None
    r = stats.rankdata(np.abs(d))
    observed = float(np.sum(r[d > 0]))
    le = ge = 0
    for signs in itertools.product((0, 1), repeat=n):
        s = float(np.sum(r[np.array(signs, dtype=bool)]))
        le += s <= observed
        ge += s >= observed
    return min(1.0, 2.0 * min(le, ge) / 2.0 ** n)


def paired(name, a, b, better="lower"):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b
    n = len(d)
    nz = d[d != 0.0]
    has_ties = len(np.unique(np.abs(nz))) < len(nz)
    has_zeros = len(nz) < n
    case = {"name": name, "a": list(map(float, a)), "b": list(map(float, b)), "better": better,
            "n": n, "mean_diff": float(np.mean(d))}
    if n >= 2:
        case["ci95"] = t_interval(d)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case["t_p"] = none_if_nan(stats.ttest_rel(a, b).pvalue)
    else:
        case["ci95"] = None
        case["t_p"] = None
    a_better = int(np.sum(a < b)) if better == "lower" else int(np.sum(a > b))
    m = len(nz)
    case["a_better"] = a_better
    case["sign_p"] = None if m == 0 else float(stats.binomtest(a_better, m, 0.5).pvalue)
    if m == 0:
        case["wilcoxon_p"] = None
        case["wilcoxon_source"] = "none: every difference is zero"
    elif len(nz) > 50:
        case["wilcoxon_p"] = float(stats.wilcoxon(a, b, mode="approx").pvalue)
        case["wilcoxon_source"] = "scipy approx"
    elif has_ties or has_zeros:
        case["wilcoxon_p"] = brute_force_wilcoxon(d)
        case["wilcoxon_source"] = "brute force over 2^n sign assignments"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case["scipy_wilcoxon_p"] = float(stats.wilcoxon(a, b).pvalue)
    else:
        case["wilcoxon_p"] = float(stats.wilcoxon(a, b, mode="exact").pvalue)
        brute = brute_force_wilcoxon(d) if n <= 16 else None
        if brute is not None:
            assert abs(brute - case["wilcoxon_p"]) < 1e-12, (name, brute, case["wilcoxon_p"])
        case["wilcoxon_source"] = "scipy exact"
    return case


rs = np.random.RandomState(12)
a10 = np.round(1.2 + 0.08 * rs.randn(10), 4)
b10 = np.round(1.25 + 0.08 * rs.randn(10), 4)
a25 = 1.0 + 0.1 * rs.randn(25)
b25 = a25 + 0.02 + 0.05 * rs.randn(25)
a60 = rs.randn(60)
b60 = a60 + 0.2 + rs.randn(60)
b60_ties = a60 + np.round(0.2 + rs.randn(60), 1)

summaries = [
    summary([1.2345]),
    summary([1.0, 2.0]),
    summary([1.25, 1.25, 1.5]),
    summary([2.0, 2.0, 2.0]),
    summary(a10),
    summary([1.174, 1.150, 1.261, 1.230, 1.257, 1.253, 1.19, 1.21, 1.19, 1.3]),
]

cases = [
    paired("n1", [1.0], [2.0]),
    paired("n1_equal", [1.0], [1.0]),
    paired("n2", [1.0, 2.5], [1.5, 2.0]),
    paired("n3", [1.3, 1.1, 1.25], [1.2, 1.3, 1.4]),
    paired("n3_all_better", [1.0, 1.1, 1.2], [1.5, 1.7, 1.4]),
    paired("n10", a10, b10),
    paired("n10_accuracy_higher", a10, b10, better="higher"),
    paired("n10_ties", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
           [1.5, 1.5, 3.5, 3.5, 6.0, 5.0, 8.0, 7.5, 9.25, 10.5]),
    paired("n10_zeros", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
           [1.0, 2.25, 3.0, 3.5, 5.125, 7.0, 7.0, 8.75, 9.0, 10.0625]),
    paired("n10_zeros_and_ties", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
           [1.0, 2.5, 2.5, 4.5, 5.0, 6.5, 7.5, 7.5, 9.0, 11.0]),
    paired("all_equal_differences", [1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 4.5]),
    paired("all_zero_differences", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    paired("n25", a25, b25),
    paired("n60_approx", a60, b60),
    paired("n60_ties_approx", a60, b60_ties),
]

doc = {"version": "stats.v1", "numpy": np.__version__, "scipy": scipy.__version__,
       "summaries": summaries, "paired": cases}
with open("stats.v1.json", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
