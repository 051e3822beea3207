/**
 * Artefacts for other tools: {@link dev.tfblend.export.SavedModelExporter} (inference-only
 * SavedModel plus manifest) and {@link dev.tfblend.export.GraphDefWriter} (text GraphDefs of one
 * function's subgraph).
 */
package dev.tfblend.export;
