"""Writes optuna31-tpe-trials.txt: the internal params of 16 trials of Optuna 3.1.0 (Debian
python3-optuna) TPESampler(seed=3), univariate and multivariate, on Branin and a mixed space,
with Optuna 3.1 as shipped ("v31") and with the 3.5 kernel-density fix of optuna#5109 ("fixed").
Run: /usr/bin/python3 optuna31_tpe_trials.py > optuna31-tpe-trials.txt
"""
import sys, math, numpy as np, optuna
from optuna.samplers._tpe import _truncnorm, parzen_estimator
optuna.logging.set_verbosity(optuna.logging.ERROR)
import warnings; warnings.simplefilter("ignore")
orig = _truncnorm.logpdf
def branin(t):
    x1 = t.suggest_float("x1", -5, 10); x2 = t.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi ** 2); c = 5 / math.pi; tt = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - tt) * math.cos(x1) + 10
def mixed(t):
    x = t.suggest_float("x", -5, 5)
    lr = t.suggest_float("lr", 1e-4, 1e-1, log=True)
    d = t.suggest_float("dropout", 0, 0.5, step=0.05)
    u = t.suggest_int("units", 16, 256, step=16)
    opt = t.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
    return x * x + abs(math.log10(lr) + 2.5) + d + abs(u - 128) / 128.0 + (0 if opt == "sgd" else 0.3)
for fixed in [False, True]:
    parzen_estimator.truncnorm.logpdf = (lambda x, a, b, loc=0, scale=1: orig(x, a, b, loc=loc, scale=scale) - np.log(scale)) if fixed else orig
    for mv in [False, True]:
        for name, fn in [("branin", branin), ("mixed", mixed)]:
            st = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=3, multivariate=mv))
            st.optimize(fn, n_trials=16)
            rows = [[t.distributions[k].to_internal_repr(v) for k, v in t.params.items()] for t in st.trials]
            print("fixed" if fixed else "v31", "multi" if mv else "uni", name, repr(rows))
