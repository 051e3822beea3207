/**
 * Inference with exported SavedModels, as {@code tf-blend predict} and {@code tf-blend gate} run
 * it: {@link dev.tfblend.serve.Predictions} (class probabilities of a classifier for a data set
 * CSV) and {@link dev.tfblend.serve.GateAlphas} (the blend weight of a trained gate for feature
 * vectors in CSV or JSON lines). Both check the model's signature through
 * {@link dev.tfblend.export.SavedModels} before anything runs, and check the input's width against
 * the signature before loading the model.
 */
package dev.tfblend.serve;
