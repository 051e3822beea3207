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
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;

/**
 * Text GraphDefs ({@code .pbtxt}) of the part of a graph one function runs: the nodes its fetches
 * and targets need (their transitive data and control inputs), in the graph's node order, and
 * the library functions those nodes call (a loop's body and condition), in library order, each
 * with its nodes sorted by name. Used
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
    Deque<NodeDef> calling = new ArrayDeque<>();
    for (NodeDef n : full.getNodeList()) {
      if (keep.contains(n.getName())) {
        b.addNode(n);
        calling.add(n);
      }
    }
    Map<String, FunctionDef> functions = new HashMap<>();
    for (FunctionDef f : full.getLibrary().getFunctionList()) {
      functions.put(f.getSignature().getName(), f);
    }
    Set<String> called = new HashSet<>();
    while (!calling.isEmpty()) {
      for (AttrValue a : calling.pop().getAttrMap().values()) {
        List<NameAttrList> fs = new java.util.ArrayList<>(a.getList().getFuncList());
        if (a.hasFunc()) {
          fs.add(a.getFunc());
        }
        for (NameAttrList f : fs) {
          if (functions.containsKey(f.getName()) && called.add(f.getName())) {
            calling.addAll(functions.get(f.getName()).getNodeDefList());
          }
        }
      }
    }
    FunctionDefLibrary.Builder lib = full.getLibrary().toBuilder().clearFunction();
    for (FunctionDef f : full.getLibrary().getFunctionList()) {
      if (called.contains(f.getSignature().getName())) {
        // TensorFlow stores a function's nodes in no stable order: sort them by name
        List<NodeDef> nodes = new java.util.ArrayList<>(f.getNodeDefList());
        nodes.sort(java.util.Comparator.comparing(NodeDef::getName));
        lib.addFunction(f.toBuilder().clearNodeDef().addAllNodeDef(nodes));
      }
    }
    b.setLibrary(lib);
    return TextFormat.printer().printToString(b.build());
  }
}
