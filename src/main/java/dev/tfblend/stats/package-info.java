/**
 * Statistics for comparing optimizers over repeated runs: {@link dev.tfblend.stats.Summary}
 * (mean, standard deviation and Student-t 95% interval of one sample),
 * {@link dev.tfblend.stats.PairedComparison} (two samples paired by repeat: mean difference and
 * its interval, win count, exact Wilcoxon signed-rank, exact sign and paired t p-values) and
 * {@link dev.tfblend.stats.WilcoxonSignedRank} (the exact signed-rank distribution) and
 * {@link dev.tfblend.stats.Holm} (Holm's step-down adjustment of a family of p-values). Distributions
 * and the t test come from Apache Commons Math 3. No TensorFlow here; the records serialise to
 * JSON with snake_case field names.
 */
package dev.tfblend.stats;
