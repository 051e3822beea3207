package dev.tfblend.export;

import com.google.protobuf.TextFormat;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Text GraphDefs ({@code .pbtxt}) of the part of a graph one function runs: the nodes its fetches
 * and targets need (their transitive data and control inputs), in the graph's node order. Used
 * for the {@code graphs/} snapshots that make graph changes visible in review.
 */
public final class GraphDefWriter {
  private GraphDefWriter() {}

  /** The text GraphDef of the nodes needed to compute {@code roots} (op names) in {@code graph}. */
  public static String subgraphText(Graph graph, List<String> roots) {
    GraphDef full = graph.toGraphDef();
    Map<String, NodeDef> byName = new HashMap<>();
    for (NodeDef n : full.getNodeList()) {
      byName.put(n.getName(), n);
    }
    Set<String> keep = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String r : roots) {
      if (!byName.containsKey(r)) {
        throw new IllegalArgumentException("no node " + r + " in the graph");
      }
      todo.push(r);
    }
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!keep.add(name)) {
        continue;
      }
      for (String in : byName.get(name).getInputList()) {
        String n = in.startsWith("^") ? in.substring(1) : in;
        int colon = n.indexOf(':');
        todo.push(colon >= 0 ? n.substring(0, colon) : n);
      }
    }
    GraphDef.Builder b = full.toBuilder().clearNode();
    for (NodeDef n : full.getNodeList()) {
      if (keep.contains(n.getName())) {
        b.addNode(n);
      }
    }
    return TextFormat.printer().printToString(b.build());
  }
}
