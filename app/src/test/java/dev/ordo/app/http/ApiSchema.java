package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The documented types of the API's answers and of the report, {@code docs/http-api.schema.json},
 * for checking real answers against them.
 */
public final class ApiSchema {

  /** The schema file, from the app module's folder (where Maven runs its tests). */
  public static final Path FILE = Path.of("..", "docs", "http-api.schema.json");

  private static final JsonNode DOCUMENT;

  static {
    try {
      DOCUMENT = Json.mapper().readTree(FILE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ApiSchema() {}

  /** What is wrong with {@code answer} as a {@code definition} (a name under {@code $defs}); empty when it conforms. */
  public static List<String> violations(String definition, JsonNode answer) {
    if (!DOCUMENT.path("$defs").has(definition)) throw new IllegalArgumentException("no definition " + definition + " in " + FILE);
    ObjectNode root = DOCUMENT.deepCopy();
    root.put("$ref", "#/$defs/" + definition);
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root.toString());
    return schema.validate(answer).stream().map(Object::toString).toList();
  }

  /** Fails when {@code answer} is not a {@code definition}, listing every violation. */
  public static void assertConforms(String definition, JsonNode answer) {
    assertEquals(List.of(), violations(definition, answer), definition + ": " + answer.toString());
  }
}
