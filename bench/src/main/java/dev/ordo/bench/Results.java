package dev.ordo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@code bench/run}: rows of (scenario, measure, Ordo's value, each baseline's value, unit), printed
 * as one table and written as JSON. A row whose measure is a scenario's headline also yields each ratio Ordo / baseline,
 * named {@code ratio_<scenario>_ordo_over_<baseline>} (a scenario variant such as {@code pipeline_200} is part of the
 * name); other rows with baselines get {@code ratio_<scenario>_<measure>_ordo_over_<baseline>}.
 */
public final class Results {

  /**
   * One measured figure.
   *
   * @param scenario  scenario name, e.g. {@code replay}, {@code pipeline}
   * @param variant   the scenario's variant (e.g. {@code 200} instruments), empty for none
   * @param measure   what is measured, e.g. {@code wall}, {@code ticks_per_s}
   * @param unit      unit of every value of the row
   * @param ordo      Ordo's value, null when not measured
   * @param baselines baseline name to value
   * @param headline  whether the ratios of this row are the scenario's named ratios
   */
  public record Row(String scenario, String variant, String measure, String unit, Double ordo, Map<String, Double> baselines, boolean headline) {

    /** A value that is not a number (a percentile of no sample) is kept as missing (null), never written as NaN. */
    public Row {
      ordo = finite(ordo);
      Map<String, Double> kept = new LinkedHashMap<>();
      baselines.forEach((name, value) -> kept.put(name, finite(value)));
      baselines = java.util.Collections.unmodifiableMap(kept);
    }

    private static Double finite(Double value) {
      return value == null || value.isNaN() || value.isInfinite() ? null : value;
    }

    /** The scenario with its variant: {@code pipeline_200}. */
    public String label() {
      return variant.isEmpty() ? scenario : scenario + "_" + variant;
    }

    /** Ordo's value over each baseline's, by ratio name (none when a value is missing or a baseline is zero). */
    public Map<String, Double> ratios() {
      Map<String, Double> ratios = new LinkedHashMap<>();
      for (Map.Entry<String, Double> b : baselines.entrySet()) {
        if (ordo == null || b.getValue() == null || b.getValue() == 0) continue;
        String name = "ratio_" + label() + (headline ? "" : "_" + measure) + "_ordo_over_" + b.getKey().replace('-', '_');
        ratios.put(name, ordo / b.getValue());
      }
      return ratios;
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Object> machine = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();

  /** Adds a row without baselines. */
  public void add(String scenario, String variant, String measure, String unit, Double ordo) {
    rows.add(new Row(scenario, variant, measure, unit, ordo, Map.of(), false));
  }

  /** Adds a row with baselines (name to value, in display order); {@code headline} names its ratios after the scenario alone. */
  public void add(String scenario, String variant, String measure, String unit, Double ordo, Map<String, Double> baselines, boolean headline) {
    rows.add(new Row(scenario, variant, measure, unit, ordo, new LinkedHashMap<>(baselines), headline));
  }

  /** A note printed under the table and written with the scenario, e.g. how the input was made. */
  public void note(String scenario, String text) {
    notes.merge(scenario, text, (a, b) -> a + " " + b);
  }

  public void machine(String key, Object value) {
    machine.put(key, value);
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** Prints the table: scenario, measure, Ordo, the baselines, the ratios, the unit. */
  public void print(PrintStream out) {
    out.printf("%-16s %-26s %14s  %-40s %-34s %s%n", "scenario", "measure", "Ordo", "baseline(s)", "ratio Ordo/baseline", "unit");
    for (Row row : rows) {
      StringBuilder baselines = new StringBuilder();
      StringBuilder ratios = new StringBuilder();
      for (Map.Entry<String, Double> b : row.baselines().entrySet()) {
        if (baselines.length() > 0) baselines.append(", ");
        baselines.append(b.getKey()).append(' ').append(format(b.getValue()));
        if (row.ordo() != null && b.getValue() != null && b.getValue() != 0) {
          if (ratios.length() > 0) ratios.append(", ");
          ratios.append(String.format(Locale.ROOT, "%.2f", row.ordo() / b.getValue())).append(" (").append(b.getKey()).append(')');
        }
      }
      out.printf("%-16s %-26s %14s  %-40s %-34s %s%n", row.label(), row.measure(), format(row.ordo()), baselines, ratios, row.unit());
    }
    notes.forEach((scenario, text) -> out.println("  " + scenario + ": " + text));
  }

  /** Writes the JSON: machine, then per scenario its figures (each with its unit) and ratios, then every ratio by name. */
  public void write(Path file, String mode) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("mode", mode);
    root.put("machine", machine);
    Map<String, Object> scenarios = new LinkedHashMap<>();
    Map<String, Double> allRatios = new LinkedHashMap<>();
    for (Row row : rows) {
      @SuppressWarnings("unchecked")
      Map<String, Object> scenario = (Map<String, Object>) scenarios.computeIfAbsent(row.scenario(), s -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("figures", new ArrayList<Map<String, Object>>());
        m.put("ratios", new LinkedHashMap<String, Double>());
        if (notes.containsKey(s)) m.put("note", notes.get(s));
        return m;
      });
      Map<String, Object> figure = new LinkedHashMap<>();
      figure.put("variant", row.variant());
      figure.put("measure", row.measure());
      figure.put("unit", row.unit());
      figure.put("ordo", row.ordo());
      figure.put("baselines", row.baselines());
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> figures = (List<Map<String, Object>>) scenario.get("figures");
      figures.add(figure);
      @SuppressWarnings("unchecked")
      Map<String, Double> ratios = (Map<String, Double>) scenario.get("ratios");
      ratios.putAll(row.ratios());
      allRatios.putAll(row.ratios());
    }
    root.put("scenarios", scenarios);
    root.put("ratios", allRatios);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  static String format(Double value) {
    if (value == null) return "-";
    double v = value;
    if (v != 0 && Math.abs(v) < 0.01) return String.format(Locale.ROOT, "%.3g", v);
    if (Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
