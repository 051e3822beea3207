/**
 * Models as graph functions: {@link dev.tfblend.model.ParameterSet} (explicit, named variables
 * with Java-side seeded initialisation), {@link dev.tfblend.model.Mlp} (logits and losses),
 * {@link dev.tfblend.model.Init}, {@link dev.tfblend.model.Activation} and
 * {@link dev.tfblend.model.FloatTensors}. Generic in float32/float64 so gradient checks can run in
 * float64.
 */
package dev.tfblend.model;
