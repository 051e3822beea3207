package dev.tfblend.model;

import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Closing a graph together with the session that runs it. */
public final class GraphSessions {
  private GraphSessions() {}

  /**
   * Closes {@code session}, then {@code graph}; the graph is closed even when closing the session
   * throws, and that exception is then rethrown.
   */
  public static void close(Session session, Graph graph) {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
