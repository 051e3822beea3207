"""Python Optuna side of OptunaInteropTest (tested with Debian's python3-optuna 3.1.0).

  optuna_interop.py dump FILE STUDY   prints the study as JSON, read through RDBStorage with
                                      skip_compatibility_check=True (3.1 knows only v3.0.0.d)
  optuna_interop.py write FILE STUDY  creates the study in a fresh file and runs a few trials
  optuna_interop.py work FILE STUDY N  runs N trials of x^2 once a line arrives on stdin
  optuna_interop.py init FILE -       creates Optuna's tables (create_all) and stamps the file
  optuna_interop.py beat FILE STUDY   creates the study with a RUNNING trial and a heartbeat
  optuna_interop.py failstale FILE STUDY  runs Optuna's fail_stale_trials (grace 1 s)
"""
import json
import sys

import optuna


def dump(path, name):
    storage = optuna.storages.RDBStorage("sqlite:///" + path, skip_compatibility_check=True)
    study = optuna.load_study(study_name=name, storage=storage)
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append(
            {
                "number": t.number,
                "state": t.state.name,
                "value": t.value if t.values is not None else None,
                "params": t.params,
                "distributions": {
                    k: optuna.distributions.distribution_to_json(d)
                    for k, d in t.distributions.items()
                },
                "intermediate_values": {str(k): v for k, v in t.intermediate_values.items()},
                "datetime_start": t.datetime_start.isoformat() if t.datetime_start else None,
                "datetime_complete": t.datetime_complete.isoformat()
                if t.datetime_complete
                else None,
                "user_attrs": t.user_attrs,
                "system_attrs": t.system_attrs,
            }
        )
    out = {
        "optuna": optuna.__version__,
        "direction": study.direction.name,
        "trials": trials,
    }
    try:
        best = study.best_trial
        out["best_number"] = best.number
        out["best_value"] = best.value
        out["best_params"] = best.params
    except ValueError:
        out["best_number"] = None
    print(json.dumps(out))


def write(path, name):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=name, storage="sqlite:///" + path, direction="minimize"
    )

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        units = trial.suggest_int("units", 8, 256, step=8)
        opt = trial.suggest_categorical("opt", ["adam", "sgd", None, 3, 2.5, True])
        if trial.number == 2:
            raise RuntimeError("boom")
        for step in range(3):
            trial.report(x * x + step, step)
            if trial.number == 3 and step == 1:
                raise optuna.TrialPruned()
        return x * x + lr + units / 1000.0 + (0.5 if opt == "sgd" else 0.0)

    study.enqueue_trial({"x": 0.5, "opt": "sgd"})
    study.optimize(objective, n_trials=6, catch=(RuntimeError,))
    study.enqueue_trial({"x": 1.5, "units": 64})
    print(json.dumps({"n": len(study.trials)}))


def work(path, name, n):
    """Loads the study, prints ready, waits for a line on stdin, then runs n trials of x^2."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage("sqlite:///" + path, skip_compatibility_check=True)
    study = optuna.load_study(
        study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed=1)
    )
    print("ready", flush=True)
    sys.stdin.readline()
    study.optimize(lambda t: t.suggest_float("x", -5, 5) ** 2, n_trials=int(n))
    print(json.dumps({"n": int(n)}))


def init(path, name):
    """Creates Optuna's tables in a fresh file (the study name is unused)."""
    optuna.storages.RDBStorage("sqlite:///" + path)
    print(json.dumps({"ok": True}))


def beat(path, name):
    """Creates the study with one RUNNING trial that records one heartbeat now."""
    storage = optuna.storages.RDBStorage(
        "sqlite:///" + path, skip_compatibility_check=True, heartbeat_interval=1, grace_period=1
    )
    study = optuna.create_study(study_name=name, storage=storage)
    trial = study.ask()
    storage.record_heartbeat(trial._trial_id)
    print(json.dumps({"number": trial.number}))


def failstale(path, name):
    """Fails the study's RUNNING trials whose heartbeat is older than 1 s (Optuna's check)."""
    storage = optuna.storages.RDBStorage(
        "sqlite:///" + path, skip_compatibility_check=True, heartbeat_interval=1, grace_period=1
    )
    study = optuna.load_study(study_name=name, storage=storage)
    optuna.storages.fail_stale_trials(study)
    print(json.dumps({"states": [t.state.name for t in study.get_trials(deepcopy=False)]}))


if __name__ == "__main__":
    if sys.argv[1] == "work":
        work(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    {"dump": dump, "write": write, "init": init, "beat": beat, "failstale": failstale}[sys.argv[1]](sys.argv[2], sys.argv[3])
