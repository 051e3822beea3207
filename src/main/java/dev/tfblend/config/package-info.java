/**
 * Run configuration as Jackson records ({@link dev.tfblend.config.TrainConfig} and its parts) and
 * {@link dev.tfblend.config.ConfigLoader} (defaults, JSON file, options, {@code --set} overrides,
 * validation naming the bad field).
 */
package dev.tfblend.config;
