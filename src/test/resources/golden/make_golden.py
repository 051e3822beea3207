# Writes the small golden files the data-package tests compare against.
# Run from this directory: python3 make_golden.py  (needs numpy and scipy; versions are stamped).
# Values are printed with repr(), which round-trips exactly through Double.parseDouble.
import numpy as np
import scipy
from scipy.ndimage import gaussian_filter
from scipy.interpolate import interp1d


def line(name, values):
    return name + " " + " ".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v)) for v in values)


out = ["# numpy-legacy-rng.v1 numpy=%s" % np.__version__]
rs = np.random.RandomState(42)
out.append(line("state_key_head", rs.get_state()[1][:5]))
out.append(line("uint32", [rs.randint(0, 2**32, dtype=np.uint32) for _ in range(8)]))
rs = np.random.RandomState(42)
out.append(line("rand", rs.rand(8)))
rs = np.random.RandomState(42)
out.append(line("randn", rs.randn(9)))
rs = np.random.RandomState(42)
out.append(line("randint_0_48", [rs.choice(48) for _ in range(20)]))
rs = np.random.RandomState(42)
out.append(line("permutation_10", rs.permutation(10)))
rs = np.random.RandomState(7)
out.append(line("permutation_5000_head_seed7", rs.permutation(5000)[:20]))
rs = np.random.RandomState(123)
mixed = [rs.rand(), rs.randn(), rs.rand(), *rs.randn(3), rs.choice(5), rs.randn(), rs.randint(3, 1000)]
out.append(line("mixed_seed123", mixed))
rs = np.random.RandomState(42)
out.append(line("randn_2000_seed42", rs.randn(2000)))
with open("numpy-legacy-rng.v1.txt", "w") as f:
    f.write("\n".join(out) + "\n")

out = ["# scipy-ops.v1 numpy=%s scipy=%s" % (np.__version__, scipy.__version__)]
rs = np.random.RandomState(5)
x72 = rs.randn(72) * 0.25
out.append(line("x72", x72))
out.append(line("gauss2_x72", gaussian_filter(x72, 2)))
x5 = rs.randn(5)
out.append(line("x5", x5))
out.append(line("gauss2_x5", gaussian_filter(x5, 2)))
out.append(line("gauss1.5_x72", gaussian_filter(x72, 1.5)))
out.append(line("linspace_m5_5_12", np.linspace(-5, 5, 12)))
out.append(line("linspace_0_1_72", np.linspace(0, 1, 72)))
out.append(line("linspace_m05_05_72", np.linspace(-0.5, 0.5, 72)))
y48 = np.concatenate([rs.randn(12) + 1e-8, np.zeros(36)])
out.append(line("y48", y48))
out.append(line("interp_y48_to_72", interp1d(np.linspace(0, 1, 48), y48, axis=0, kind="linear")(np.linspace(0, 1, 72))))
y72 = rs.randn(72)
out.append(line("y72", y72))
out.append(line("interp_y72_to_40", interp1d(np.linspace(0, 1, 72), y72, axis=0, kind="linear")(np.linspace(0, 1, 40))))
y15 = rs.randn(15)
out.append(line("y15", y15))
out.append(line("interp_y15_to_29", interp1d(np.linspace(0, 1, 15), y15, axis=0, kind="linear")(np.linspace(0, 1, 29))))
big = rs.randn(5000, 40) * 3 + 0.1
out.append(line("big_seed5_after_draws_sum_mean_std", [big.sum(), big.mean(), big.std()]))
with open("scipy-ops.v1.txt", "w") as f:
    f.write("\n".join(out) + "\n")
