/**
 * Higher-order gradients for TF-Java 1.1.0 graphs: {@link dev.tfblend.grad.SecondOrderGradients}
 * registers Java gradients for the ops that first-order gradient graphs contain and the native
 * library cannot differentiate, and {@link dev.tfblend.grad.Unroll} builds a K-step unrolled
 * meta-loss and its exact (or first-order) gradient with respect to meta-parameters, for any
 * model, loss and plain-op update rule. Depends on TensorFlow only; independent of the blend.
 */
package dev.tfblend.grad;
