/**
 * Random number generators that reproduce numpy's streams bit for bit ({@link
 * dev.tfblend.random.Mt19937}). Plain Java with no dependencies, so that both {@code data} (numpy's
 * legacy {@code RandomState}) and {@code tune} (Optuna's seeded samplers) use one generator.
 */
package dev.tfblend.random;
