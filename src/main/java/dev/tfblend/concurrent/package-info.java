/**
 * Running worker threads to their end ({@link dev.tfblend.concurrent.Workers}). Plain Java with no
 * dependencies, so that both {@code tune} (a study's trials at once) and {@code experiment}
 * (studies at once) start, wait for and fail worker threads the same way.
 */
package dev.tfblend.concurrent;
