package dev.ordo.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A JSON request body read field by field, collecting every problem with the path of the field at
 * fault ({@code recommendations[2].confidence: must be within 0..1, got 1.5}), so a 400 says all that
 * is wrong at once. Decimals (prices, amounts, quantities) are accepted as JSON strings or numbers and
 * read exactly (never through a double).
 */
final class RequestBody {

  private final List<String> problems = new ArrayList<>();

  /**
   * The body parsed, or null (with the problem recorded) when it is not a JSON object.
   *
   * @param text the body as sent
   */
  JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      problems.add("body: a JSON object is required");
      return null;
    }
    try {
      JsonNode node = Json.mapper().readTree(text);
      if (node == null || !node.isObject()) {
        problems.add("body: must be a JSON object, got " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        return null;
      }
      return node;
    } catch (JsonProcessingException e) {
      problems.add("body: not JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr());
      return null;
    }
  }

  /** Records a problem of {@code path}. */
  void problem(String path, String what) {
    problems.add(path + ": " + what);
  }

  /** Records each field of {@code object} at {@code path} that is not one of {@code known}. */
  void onlyFields(JsonNode object, String path, Set<String> known) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) problem(join(path, name), "unknown field; the fields are " + new java.util.TreeSet<>(known));
    }
  }

  /** The string at {@code field}, {@code fallback} when absent or null; a problem when another type. */
  String text(JsonNode object, String path, String field, String fallback) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) return fallback;
    if (!value.isTextual()) {
      problem(join(path, field), "must be a string, got " + value);
      return fallback;
    }
    return value.asText();
  }

  /** The boolean at {@code field}, {@code fallback} when absent. */
  boolean bool(JsonNode object, String path, String field, boolean fallback) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) return fallback;
    if (!value.isBoolean()) {
      problem(join(path, field), "must be true or false, got " + value);
      return fallback;
    }
    return value.asBoolean();
  }

  /** The whole number at {@code field} within {@code min..max}, {@code fallback} when absent. */
  int integer(JsonNode object, String path, String field, int fallback, int min, int max) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) return fallback;
    if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
      problem(join(path, field), "must be a whole number within " + min + ".." + max + ", got " + value);
      return fallback;
    }
    return value.asInt();
  }

  /**
   * The exact decimal at {@code field} (a JSON string like {@code "3400.5"} or a number), null when
   * absent; a problem when not a decimal or not within {@code min..max} (either may be null: unbounded).
   *
   * @param exclusiveMin true when the value must be above {@code min}
   */
  BigDecimal decimal(JsonNode object, String path, String field, BigDecimal min, boolean exclusiveMin, BigDecimal max) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) return null;
    BigDecimal number;
    try {
      if (value.isTextual()) number = new BigDecimal(value.asText().strip());
      else if (value.isNumber()) number = value.decimalValue();
      else throw new NumberFormatException();
    } catch (NumberFormatException e) {
      problem(join(path, field), "must be a decimal (a string like \"3400.5\" or a number), got " + value);
      return null;
    }
    boolean tooLow = min != null && (exclusiveMin ? number.compareTo(min) <= 0 : number.compareTo(min) < 0);
    boolean tooHigh = max != null && number.compareTo(max) > 0;
    if (tooLow || tooHigh) {
      problem(join(path, field), "must be " + (max == null ? (exclusiveMin ? "above " : "at least ") + min.toPlainString()
          : "within " + min.toPlainString() + ".." + max.toPlainString()) + ", got " + value);
      return null;
    }
    return number;
  }

  /** The problems found, in the order found. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** Whether nothing was wrong. */
  boolean ok() {
    return problems.isEmpty();
  }

  /** The problems as the detail of a 400 answer. */
  String detail() {
    return String.join("; ", problems);
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
