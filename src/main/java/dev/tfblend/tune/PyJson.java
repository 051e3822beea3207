package dev.tfblend.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Locale;

/** JSON as Python's {@code json.dumps} writes it (compact separators), for Optuna's columns. */
final class PyJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private PyJson() {}

  /** A JSON scalar as a Java value: null, Boolean, Integer/Long, Double or String. */
  static Object toJava(JsonNode c) {
    if (c.isNull()) {
      return null;
    } else if (c.isBoolean()) {
      return c.booleanValue();
    } else if (c.isIntegralNumber()) {
      return c.canConvertToInt() ? (Object) c.intValue() : (Object) c.longValue();
    } else if (c.isNumber()) {
      return c.doubleValue();
    } else if (c.isTextual()) {
      return c.textValue();
    }
    throw new IllegalArgumentException(
        "categorical choice must be null, a boolean, a number or a string, got " + c);
  }

  /** Appends a scalar (null, Boolean, integral Number, Double/Float, String) as Python would. */
  static void appendScalar(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Double || v instanceof Float) {
      sb.append(pyFloat(((Number) v).doubleValue()));
    } else if (v instanceof Number n) {
      sb.append(n.longValue());
    } else if (v instanceof String s) {
      appendString(sb, s);
    } else {
      throw new IllegalArgumentException("not a JSON scalar: " + v.getClass().getName());
    }
  }

  /** A JSON string with Python's default escaping ({@code ensure_ascii=True}). */
  static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (ch < 0x20 || ch > 0x7e) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Python's {@code repr(float)}: the shortest digits that round-trip, positional for decimal
   * exponents in [-4, 16), else {@code 1e-05} style; {@code Infinity}, {@code -Infinity} and
   * {@code NaN} as {@code json.dumps} writes them.
   */
  static String pyFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal shortest = null;
    for (int p = 1; p <= 17; p++) {
      String s = String.format(Locale.ROOT, "%." + (p - 1) + "e", d);
      if (Double.parseDouble(s) == d) {
        shortest = new BigDecimal(s);
        break;
      }
    }
    BigDecimal bd = shortest.stripTrailingZeros();
    int exponent = bd.precision() - bd.scale() - 1;
    if (exponent >= -5 + 1 && exponent < 16) {
      String plain = bd.toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    String digits = bd.unscaledValue().abs().toString();
    StringBuilder sb = new StringBuilder();
    if (bd.signum() < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent < 0 ? '-' : '+');
    sb.append(String.format(Locale.ROOT, "%02d", Math.abs(exponent)));
    return sb.toString();
  }
}
