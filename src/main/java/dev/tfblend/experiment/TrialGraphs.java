package dev.tfblend.experiment;

import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.train.TrainingGraph;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The training graphs of one study: trials that run at once each train on a graph of their own,
 * and a trial whose structural hyperparameters (those that select the graph, such as the blend's
 * {@code unroll} or {@code gate_hidden}) differ from another's trains on a graph built for its
 * values.
 *
 * <p>Graphs live in slots; {@link #acquire} leases one slot to the caller (one per trial running
 * at once, so as many slots as trials ever ran at once) and hands out that slot's graph for the
 * trial's structural values, building it on first use. A slot keeps at most {@code perSlot}
 * graphs and closes the least recently used beyond that. {@link #acquire} prefers an idle slot
 * that already holds a graph for the values asked for. Every graph is re-initialised by its user
 * ({@link TrainingGraph#reinitialize}) before each run, so which graph a run gets does not change
 * its figures. A slot that needs a graph another slot already holds for the same values opens a
 * {@link TrainingGraph#sibling} of it (a session of its own on the same graph) instead of
 * building it again; {@link #builds} counts the graphs built.
 *
 * <p>Thread-safe. {@link #close} closes every graph; call it once no lease is held.
 */
final class TrialGraphs implements AutoCloseable {
  /** Graphs a slot keeps (distinct structural values) before closing the least recently used. */
  static final int DEFAULT_PER_SLOT = 3;

  private final List<String> structuralKeys;
  private final Function<Map<String, Double>, TrainingGraph> build;
  private final int perSlot;
  private final Deque<Slot> idle = new ArrayDeque<>();
  private final List<Slot> slots = new ArrayList<>();
  private Double firstBuildSeconds;
  private int builds;
  private boolean closed;

  /**
   * @param table the optimizer's hyperparameters: its structural ones key the graphs
   * @param build builds (and loads the data into) the graph for the given structural values
   * @param perSlot graphs a slot keeps (positive)
   */
  TrialGraphs(HyperparameterTable table, Function<Map<String, Double>, TrainingGraph> build, int perSlot) {
    if (perSlot <= 0) {
      throw new IllegalArgumentException("perSlot must be positive, got " + perSlot);
    }
    List<String> keys = new ArrayList<>();
    for (Hyperparameter h : table.entries()) {
      if (h.structural()) {
        keys.add(h.name());
      }
    }
    this.structuralKeys = List.copyOf(keys);
    this.build = build;
    this.perSlot = perSlot;
  }

  /** The structural values of {@code hp} (a run's hyperparameters): the key of its graph. */
  Map<String, Double> key(Map<String, Double> hp) {
    Map<String, Double> k = new LinkedHashMap<>();
    for (String name : structuralKeys) {
      if (hp.containsKey(name)) {
        k.put(name, hp.get(name));
      }
    }
    return k;
  }

  /** Adds an already built graph for {@code hp}'s structural values, in a slot of its own. */
  synchronized void add(Map<String, Double> hp, TrainingGraph graph, double buildSeconds) {
    Slot slot = new Slot();
    slot.put(key(hp), graph);
    slots.add(slot);
    idle.addLast(slot);
    recordBuild(buildSeconds);
  }

  /**
   * Leases a slot and its graph for {@code hp}'s structural values, building the graph when the
   * slot lacks it (outside any lock: other leases go on meanwhile). Close the lease to return the
   * slot.
   */
  Lease acquire(Map<String, Double> hp) {
    Map<String, Double> key = key(hp);
    Slot slot;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the study's graphs are closed");
      }
      slot = null;
      for (Iterator<Slot> it = idle.iterator(); it.hasNext(); ) {
        Slot s = it.next();
        if (s.has(key)) {
          slot = s;
          it.remove();
          break;
        }
      }
      if (slot == null) {
        slot = idle.pollFirst();
      }
      if (slot == null) {
        slot = new Slot();
        slots.add(slot);
      }
    }
    try {
      TrainingGraph graph = slot.get(key);
      if (graph == null) {
        graph = siblingOf(key);
        if (graph == null) {
          long start = System.nanoTime();
          graph = build.apply(key);
          double seconds = (System.nanoTime() - start) / 1e9;
          synchronized (this) {
            recordBuild(seconds);
          }
        }
        slot.put(key, graph);
        slot.evictBeyond(perSlot);
      }
      return new Lease(slot, graph);
    } catch (RuntimeException | Error e) {
      release(slot);
      throw e;
    }
  }

  /**
   * A {@link TrainingGraph#sibling} of a graph for structural values {@code key} that another slot
   * holds (the graph is not built again), or null when no slot holds one (or the one found was
   * closed meanwhile).
   */
  private TrainingGraph siblingOf(Map<String, Double> key) {
    List<Slot> all;
    synchronized (this) {
      all = List.copyOf(slots);
    }
    for (Slot s : all) {
      TrainingGraph g = s.get(key);
      if (g != null) {
        try {
          return g.sibling();
        } catch (IllegalStateException closedMeanwhile) {
          return null;
        }
      }
    }
    return null;
  }


  private synchronized void release(Slot slot) {
    if (closed) {
      slot.closeAll();
      return;
    }
    // most recently used first: a lone worker keeps reusing the same slot
    idle.addFirst(slot);
  }

  private void recordBuild(double seconds) {
    builds++;
    if (firstBuildSeconds == null) {
      firstBuildSeconds = seconds;
    }
  }

  /** Seconds the first graph took to build, or null when none was built yet. */
  synchronized Double firstBuildSeconds() {
    return firstBuildSeconds;
  }

  /** Graphs built so far (closed ones included). */
  synchronized int builds() {
    return builds;
  }

  /** Graphs open now, over all slots. */
  synchronized int open() {
    int n = 0;
    for (Slot s : slots) {
      n += s.size();
    }
    return n;
  }

  /** Closes every graph of the idle slots, and those of leased slots when they are returned; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Slot s : idle) {
      s.closeAll();
    }
    idle.clear();
  }

  /**
   * One slot's graphs by structural values, least recently used first. Changed by the slot's
   * holder; read also by other slots' holders looking for a graph to share ({@link #siblingOf}).
   */
  private static final class Slot {
    private final LinkedHashMap<Map<String, Double>, TrainingGraph> graphs = new LinkedHashMap<>(4, 0.75f, true);

    synchronized TrainingGraph get(Map<String, Double> key) {
      return graphs.get(key);
    }

    synchronized boolean has(Map<String, Double> key) {
      return graphs.containsKey(key);
    }

    synchronized void put(Map<String, Double> key, TrainingGraph graph) {
      graphs.put(key, graph);
    }

    synchronized int size() {
      return graphs.size();
    }

    /** Closes the least recently used graphs beyond {@code keep}. */
    synchronized void evictBeyond(int keep) {
      Iterator<TrainingGraph> it = graphs.values().iterator();
      while (graphs.size() > keep && it.hasNext()) {
        TrainingGraph eldest = it.next();
        it.remove();
        eldest.close();
      }
    }

    synchronized void closeAll() {
      graphs.values().forEach(TrainingGraph::close);
      graphs.clear();
    }
  }

  /** A leased slot and the graph for the values asked for; close it to return the slot. */
  final class Lease implements AutoCloseable {
    private final Slot slot;
    private final TrainingGraph graph;
    private boolean released;

    private Lease(Slot slot, TrainingGraph graph) {
      this.slot = slot;
      this.graph = graph;
    }

    /** The graph, for this lease's holder alone until the lease is closed. */
    TrainingGraph graph() {
      return graph;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(slot);
      }
    }
  }
}
