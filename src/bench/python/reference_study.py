#!/usr/bin/env python3
"""The default tf-blend study written as a PyTorch + Optuna user would write it.

A reference for timing ``java -jar target/tf-blend.jar tune`` side by side (see
``ReferenceSideBySideBenchmark``): the same work as the embedded default config
(``configs/seed-experiment.json``), in eager PyTorch with Optuna's own TPE sampler.

* Data: MNIST-1D as ``tf-blend dataset --out DIR`` writes it (``train.csv``: 4,000 rows,
  ``test.csv``: 1,000 rows, ``label,x0..x39``). Validation: 800 of the 4,000 training rows, the
  first 800 of ``numpy.random.RandomState(2020).permutation(4000)`` (tf-blend's carving), the rest
  train (3,200 rows).
* Model: MLP 40-100-100-10, ReLU, PyTorch's default ``nn.Linear`` init, cross-entropy, batch 32,
  the training rows reshuffled every epoch.
* Three Optuna studies (``TPESampler`` seeded, no pruner, in-memory storage), 5 trials each,
  10 epochs per trial, objective = validation loss after the last epoch; after every epoch (and
  before the first) the loss on the whole training and validation splits is evaluated and the
  validation loss reported to the trial, as tf-blend does. Every trial of a study starts from the
  same seed (tf-blend's ``trial_seed_mode: shared``).
* Adam and SGD with momentum are ``torch.optim.Adam`` and ``torch.optim.SGD``.
* DynamicBlended: Adam state and SGD-momentum state side by side; each step
  ``theta' = theta + alpha * adam_update + (1 - alpha) * sgd_update`` with
  ``alpha = sigmoid(gate(flattened gradients))`` (gate: MLP n-32-1, ReLU). The validation loss of a
  random validation batch of 32 rows (drawn with replacement) at ``theta'`` is differentiated with
  respect to the gate's parameters only and the gate takes one ``torch.optim.Adam`` step at
  ``meta_lr``; then ``theta <- theta'``. One meta step per training batch.
* Then each optimizer's best parameters are trained again for 10 epochs on ``seed + 1000`` and
  the test loss and accuracy are printed in a table, with the script's wall time.

Run: ``python3 src/bench/python/reference_study.py --data DIR [--threads 1] [--seed 42]``.
"""

import argparse
import math
import os
import sys
import time


def _threads_from_argv():
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--threads", type=int, default=1)
    return max(pre.parse_known_args()[0].threads, 1)


# Debian's torch does its matrix products in the system BLAS (OpenBLAS), whose own thread pool
# ignores torch.set_num_threads: --threads sets it too, before numpy and torch load it
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_threads_from_argv())

import numpy as np  # noqa: E402

try:
    import optuna
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the benchmark checks this before it runs the script
    print(f"reference_study.py: {e}", file=sys.stderr)
    sys.exit(3)

# configs/seed-experiment.json
SEED = 42
TRIALS = 5
EPOCHS = 10
FINAL_EPOCHS = 10
BATCH_SIZE = 32
LAYERS = [40, 100, 100, 10]
GATE_HIDDEN = 32
VALIDATION_SIZE = 800
SPLIT_SEED = 2020
FINAL_SEED_OFFSET = 1000
OPTIMIZERS = ["DynamicBlended", "Adam", "SGD"]


def suggest(trial, name):
    """The search spaces of configs/seed-experiment.json."""
    if name == "DynamicBlended":
        return {
            "adam_lr": trial.suggest_float("adam_lr", 1e-4, 1e-1, log=True),
            "sgd_lr": trial.suggest_float("sgd_lr", 1e-3, 0.5, log=True),
            "momentum": trial.suggest_float("momentum", 0.5, 0.99),
            "meta_lr": trial.suggest_float("meta_lr", 1e-5, 1e-2, log=True),
        }
    if name == "Adam":
        return {"lr": trial.suggest_float("lr", 1e-4, 1e-1, log=True)}
    if name == "SGD":
        return {
            "lr": trial.suggest_float("lr", 1e-3, 0.5, log=True),
            "momentum": trial.suggest_float("momentum", 0.5, 0.99),
        }
    raise ValueError(name)


# ---------------------------------------------------------------- data

def read_csv(path):
    if not os.path.isfile(path):
        print(f"reference_study.py: --data: {path} does not exist (write it with "
              f"'java -jar target/tf-blend.jar dataset --out DIR')", file=sys.stderr)
        sys.exit(2)
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != LAYERS[0] + 1:
        print(f"reference_study.py: {path}: expected label + {LAYERS[0]} columns, got shape {a.shape}",
              file=sys.stderr)
        sys.exit(2)
    x = torch.from_numpy(a[:, 1:].astype(np.float32))
    y = torch.from_numpy(a[:, 0].astype(np.int64))
    return x, y


def load_splits(data_dir):
    """(train, validation, test) as (x, y) pairs: 3,200 / 800 / 1,000 rows for MNIST-1D."""
    x, y = read_csv(os.path.join(data_dir, "train.csv"))
    test = read_csv(os.path.join(data_dir, "test.csv"))
    perm = np.random.RandomState(SPLIT_SEED).permutation(len(y))
    val_idx = torch.from_numpy(np.sort(perm[:VALIDATION_SIZE]))
    train_idx = torch.from_numpy(np.sort(perm[VALIDATION_SIZE:]))
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx]), test


# ---------------------------------------------------------------- model

def make_mlp():
    layers = []
    for i in range(len(LAYERS) - 1):
        layers.append(nn.Linear(LAYERS[i], LAYERS[i + 1]))
        if i < len(LAYERS) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def mlp_forward(params, x):
    """The MLP as a function of its parameter list [w1, b1, w2, b2, w3, b3]."""
    h = x
    n = len(params) // 2
    for i in range(n):
        h = F.linear(h, params[2 * i], params[2 * i + 1])
        if i < n - 1:
            h = F.relu(h)
    return h


@torch.no_grad()
def evaluate(model, split):
    x, y = split
    logits = model(x)
    loss = F.cross_entropy(logits, y).item()
    acc = (logits.argmax(dim=1) == y).float().mean().item()
    return loss, acc


# ---------------------------------------------------------------- the blend

class BlendedOptimizer:
    """Adam and SGD-momentum updates blended by a meta-learned gate (one-step look-ahead).

    step(x, y) does one training step on the batch and one gate step on a validation batch.
    """

    def __init__(self, model, validation, adam_lr, sgd_lr, momentum, meta_lr,
                 betas=(0.9, 0.999), eps=1e-8):
        self.params = list(model.parameters())
        self.validation = validation
        self.adam_lr, self.sgd_lr, self.momentum = adam_lr, sgd_lr, momentum
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.buf = [torch.zeros_like(p) for p in self.params]
        self.t = 0
        n = sum(p.numel() for p in self.params)
        self.gate = nn.Sequential(nn.Linear(n, GATE_HIDDEN), nn.ReLU(), nn.Linear(GATE_HIDDEN, 1))
        self.meta_opt = torch.optim.Adam(self.gate.parameters(), lr=meta_lr)
        self.alphas = []

    def step(self, x, y):
        loss = F.cross_entropy(mlp_forward(self.params, x), y)
        grads = torch.autograd.grad(loss, self.params)
        self.t += 1
        bc1 = 1 - self.beta1 ** self.t
        bc2 = 1 - self.beta2 ** self.t
        adam_upd, sgd_upd = [], []
        with torch.no_grad():
            for g, m, v, b in zip(grads, self.m, self.v, self.buf):
                m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
                v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
                adam_upd.append(-self.adam_lr * (m / bc1) / ((v / bc2).sqrt() + self.eps))
                b.mul_(self.momentum).add_(g)
                sgd_upd.append(-self.sgd_lr * b)
            features = torch.cat([g.reshape(-1) for g in grads]).unsqueeze(0)
        alpha = torch.sigmoid(self.gate(features)).squeeze()
        look_ahead = [p.detach() + alpha * a + (1 - alpha) * s
                      for p, a, s in zip(self.params, adam_upd, sgd_upd)]
        vx, vy = self.validation
        rows = torch.randint(len(vy), (BATCH_SIZE,))
        val_loss = F.cross_entropy(mlp_forward(look_ahead, vx[rows]), vy[rows])
        self.meta_opt.zero_grad()
        val_loss.backward()
        self.meta_opt.step()
        with torch.no_grad():
            for p, new in zip(self.params, look_ahead):
                p.copy_(new)
        self.alphas.append(alpha.detach())
        return loss.detach()


# ---------------------------------------------------------------- training

def train(name, hp, seed, epochs, train_split, validation, on_epoch=None):
    """Trains a fresh MLP from ``seed``.

    Returns (model, records, alphas, steps_per_second): records are (epoch, train_loss, val_loss,
    val_acc) for epoch 0 (before training) to the last, alphas the blend's alpha per step (None for
    Adam and SGD), steps_per_second the training steps over their time (evaluations excluded).
    """
    torch.manual_seed(seed)
    model = make_mlp()
    if name == "Adam":
        opt = torch.optim.Adam(model.parameters(), lr=hp["lr"])
    elif name == "SGD":
        opt = torch.optim.SGD(model.parameters(), lr=hp["lr"], momentum=hp["momentum"])
    else:
        opt = BlendedOptimizer(model, validation, **hp)
    x, y = train_split
    n = len(y)
    records = []
    train_seconds = 0.0
    train_loss, _ = evaluate(model, train_split)
    val_loss, val_acc = evaluate(model, validation)
    records.append((0, train_loss, val_loss, val_acc))
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(n)
        for start in range(0, n, BATCH_SIZE):
            rows = order[start:start + BATCH_SIZE]
            if name == "DynamicBlended":
                loss = opt.step(x[rows], y[rows])
            else:
                opt.zero_grad()
                loss = F.cross_entropy(model(x[rows]), y[rows])
                loss.backward()
                opt.step()
        train_seconds += time.perf_counter() - t0
        train_loss, _ = evaluate(model, train_split)
        val_loss, val_acc = evaluate(model, validation)
        records.append((epoch, train_loss, val_loss, val_acc))
        if not math.isfinite(loss.item()):
            break  # the validation loss is not finite either: Optuna records the trial as FAIL
        if on_epoch is not None:
            on_epoch(epoch, val_loss)
    alphas = torch.stack(opt.alphas) if name == "DynamicBlended" else None
    steps_per_second = (len(records) - 1) * math.ceil(n / BATCH_SIZE) / max(train_seconds, 1e-9)
    return model, records, alphas, steps_per_second


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="directory with train.csv and test.csv "
                    "(java -jar target/tf-blend.jar dataset --out DIR)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch intra-op and BLAS threads (default 1, as tf-blend runs each trial)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"study seed (default {SEED})")
    ap.add_argument("--trials", type=int, default=TRIALS, help=f"trials per optimizer (default {TRIALS})")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs per trial and final run (default {EPOCHS})")
    args = ap.parse_args()
    if args.threads < 1 or args.trials < 1 or args.epochs < 1:
        print("reference_study.py: --threads, --trials and --epochs must be positive", file=sys.stderr)
        sys.exit(2)
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    train_split, validation, test = load_splits(args.data)

    rows = []
    for k, name in enumerate(OPTIMIZERS):
        def objective(trial, name=name):
            hp = suggest(trial, name)
            _, records, _, _ = train(name, hp, args.seed, args.epochs, train_split, validation,
                                  on_epoch=lambda e, v: trial.report(v, e))
            return records[-1][2]

        t0 = time.perf_counter()
        study = optuna.create_study(study_name=name, direction="minimize",
                                    sampler=optuna.samplers.TPESampler(seed=args.seed + k),
                                    pruner=optuna.pruners.NopPruner())
        study.optimize(objective, n_trials=args.trials)
        search_s = time.perf_counter() - t0
        best = study.best_params
        model, records, alphas, rate = train(name, best, args.seed + FINAL_SEED_OFFSET, args.epochs,
                                             train_split, validation)
        test_loss, test_acc = evaluate(model, test)
        rows.append((name, study.best_value, records[-1][2], records[-1][3], test_loss, test_acc,
                     search_s, rate, alphas, best))

    wall = time.perf_counter() - start
    print(f"reference (PyTorch {torch.__version__}, Optuna {optuna.__version__}, {args.threads} thread(s)), "
          f"{args.trials} trials x {args.epochs} epochs per optimizer, seed {args.seed}")
    print(f"{'optimizer':<15} {'best_trial':>10} {'val_loss':>9} {'val_acc':>8} {'test_loss':>9} "
          f"{'test_acc':>8} {'search_s':>8} {'steps/s':>8}")
    for name, best_value, vl, va, tl, ta, search_s, rate, _, _ in rows:
        print(f"{name:<15} {best_value:>10.4f} {vl:>9.4f} {va:>8.4f} {tl:>9.4f} {ta:>8.4f} "
              f"{search_s:>8.1f} {rate:>8.0f}")
    for name, *_, alphas, best in rows:
        params = ", ".join(f"{k} {v:.4g}" for k, v in best.items())
        extra = ""
        if alphas is not None:
            extra = (f"; alpha {alphas[0].item():.4f} at step 1, range [{alphas.min().item():.4f}, "
                     f"{alphas.max().item():.4f}]")
        print(f"{name}: best {params}{extra}")
    print(f"wall time {wall:.1f} s (from after the imports; steps/s: the final runs, evaluations excluded)")


if __name__ == "__main__":
    main()
