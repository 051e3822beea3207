package dev.tfblend.experiment;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyperparameters as the JSON outputs write them: a whole number (a count such as {@code
 * total_steps} or {@code gate_hidden}, a 0/1 flag) as a JSON integer, any other value as a
 * decimal. Readers that want doubles read integers as doubles unchanged.
 */
final class JsonParams {
  private JsonParams() {}

  /** {@code params} in order, whole numbers as {@link Long}. */
  static Map<String, Object> of(Map<String, Double> params) {
    Map<String, Object> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, isWhole(v) ? (Object) v.longValue() : v));
    return out;
  }

  static boolean isWhole(Double v) {
    return v != null && Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 1e15;
  }

  /** Jackson's writer of one hyperparameter value under the rule above. */
  static final class WholeNumbers extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      if (isWhole(value)) {
        gen.writeNumber(value.longValue());
      } else {
        gen.writeNumber(value);
      }
    }
  }
}
