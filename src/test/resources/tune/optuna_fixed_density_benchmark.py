"""Reference figures for SamplerBenchmark: Optuna 3.1.0 (Debian python3-optuna) with and without
the fix of optuna#5109 (PR #5110, Optuna 3.5: the truncated-normal kernels get their 1/sigma).

Usage: /usr/bin/python3 optuna_fixed_density_benchmark.py {fixed|orig} {branin|hartmann6|sphere5} {uni|multi}
Prints the median [25th, 75th percentile] of the best value after 10, 25, 50, 100 trials over
seeds 0..19. "orig" reproduces optuna31-sampler-benchmark.md (this directory).
"""
import sys, numpy as np, optuna
from optuna.samplers._tpe import _truncnorm, parzen_estimator
fix = sys.argv[1] == "fixed"
orig = _truncnorm.logpdf
def logpdf_fixed(x, a, b, loc=0, scale=1):
    return orig(x, a, b, loc=loc, scale=scale) - np.log(scale)
if fix:
    parzen_estimator.truncnorm.logpdf = logpdf_fixed
optuna.logging.set_verbosity(optuna.logging.ERROR)
def sphere5(t): return sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5))
A = np.array([[10, 3, 17, 3.5, 1.7, 8],[0.05, 10, 17, 0.1, 8, 14],[3, 3.5, 1.7, 10, 17, 8],[17, 8, 0.05, 10, 0.1, 14]])
P = 1e-4*np.array([[1312, 1696, 5569, 124, 8283, 5886],[2329, 4135, 8307, 3736, 1004, 9991],[2348, 1451, 3522, 2883, 3047, 6650],[4047, 8828, 8732, 5743, 1091, 381]])
al = np.array([1.0, 1.2, 3.0, 3.2])
def hartmann6(t):
    x = np.array([t.suggest_float(f"x{j}", 0, 1) for j in range(6)])
    return float(-np.sum(al * np.exp(-np.sum(A * (x - P) ** 2, axis=1))))
import math
def branin(t):
    x1 = t.suggest_float("x1", -5, 10); x2 = t.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi ** 2); c = 5 / math.pi; tt = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - tt) * math.cos(x1) + 10
fn = {"sphere5": sphere5, "hartmann6": hartmann6, "branin": branin}[sys.argv[2]]
mv = sys.argv[3] == "multi"
best = {k: [] for k in (10, 25, 50, 100)}
for seed in range(20):
    st = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=mv))
    st.optimize(fn, n_trials=100)
    vals = np.minimum.accumulate([t.value for t in st.trials])
    for k in best: best[k].append(vals[k - 1])
print(sys.argv[1:], " | ".join("%.4f [%.4f, %.4f]" % (np.median(v), np.percentile(v, 25), np.percentile(v, 75)) for v in best.values()))
