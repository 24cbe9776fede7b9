package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.ApiSchema;
import dev.ordo.app.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class RunCommandTest {

  static final String HINT = " (correct the file, or move it out of the --data folder)";

  @TempDir
  Path dir;

  int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString();
  }

  @Test
  void aBadRowStopsTheRunWithFileLineAndReasonBeforeAnythingStarts() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("TCS.csv"), "date,open,high,low,close,volume\n2024-01-16 09:15:00,1,1,1,1,1\n");
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("run", "--data", data.toString(), "--data-dir", dir.resolve("state").toString(), "--exit-at-end"));
    assertEquals(2, code[0]);
    assertTrue(err.contains("TCS.csv line 2") && err.contains("has no UTC offset"), err);
    assertTrue(Files.notExists(dir.resolve("state")), "nothing was started or written");
  }

  /**
   * The header and the first {@code rows} rows of the bundled TCS file (a slice of
   * shared/data/nse_equity_5min/TCS.csv, 2024-01-12 from 09:15), line {@code line} (the header is
   * line 1) changed by {@code change}.
   */
  static String tcs(int rows, int line, UnaryOperator<String> change) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(EngineFixture.SAMPLE.resolve("TCS.csv")).subList(0, rows + 1));
    lines.set(line - 1, change.apply(lines.get(line - 1)));
    return String.join("\n", lines) + "\n";
  }

  /** {@code row} with its field {@code index} (0 = date, ..., 5 = volume) set to {@code value}. */
  static String set(String row, int index, String value) {
    String[] fields = row.split(",", -1);
    fields[index] = value;
    return String.join(",", fields);
  }

  static Stream<Arguments> badFiles() throws IOException {
    return Stream.of(
        Arguments.of("TCS.csv", tcs(10, 4, row -> set(row, 1, "0")), " line 4: open is 0: a price must be positive"),
        Arguments.of("TCS.csv", tcs(10, 6, row -> set(row, 0, "2024-01-12 09:37:00+05:30")),
            " line 6: date 2024-01-12 09:37:00+05:30 is off the 5-minute grid of its session, which starts at 09:15 (line 2)"),
        Arguments.of("TCS.csv", tcs(10, 5, row -> set(row, 5, "171485.5")), " line 5: volume '171485.5' is not a whole number: an NSE volume counts shares"),
        Arguments.of("TCS.csv", tcs(10, 3, row -> set(set(row, 2, "3842.25"), 3, "3857.8")), " line 3: high 3842.25 is below low 3857.8"),
        Arguments.of("TCS.csv", tcs(10, 7, row -> set(row, 0, "2024-01-12 04:00:00+00:00")),
            " line 7: date '2024-01-12 04:00:00+00:00' is not in the exchange's time: NSE times carry the offset +05:30"),
        Arguments.of("TCS.csv", tcs(10, 8, row -> row + ",12"), " line 8: expected 6 fields, found 7"),
        Arguments.of("TCS;rm -rf.csv", tcs(10, 1, row -> row), ": the file name 'TCS;rm -rf' cannot be an NSE symbol: name the file SYMBOL.csv,"
            + " SYMBOL being 1 to 20 letters, digits, '&' or '-' (TCS.csv, M&M.csv, BAJAJ-AUTO.csv)"),
        Arguments.of("TCS.csv", "", ": is empty: a bar file starts with the header date,open,high,low,close,volume (or timestamp,...)"),
        Arguments.of("TCS.csv", tcs(0, 1, row -> row), " line 2: no bar rows after the header"),
        Arguments.of("TCS.csv", tcs(10, 1, header -> "timestamp,open,high,low,close,volume,oi"), " line 2: expected 7 fields, found 6"),
        // shared/data/nse_equity_daily's layout is a scanner's input, not a replay's
        Arguments.of("TCS.csv", "timestamp,open,high,low,close,volume,oi\n2024-01-11 00:00:00+05:30,3700,3720,3690,3710,100,0\n"
            + "2024-01-12 00:00:00+05:30,3710,3730,3700,3720,100,0\n", " line 1: holds daily bars: a replay trades intraday bars (daily bars feed"
            + " an account's scanner: scanner.daily-data, docs/scanner.md)"));
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void aBadFileStopsTheRunWithOneLineNamingFileLineAndReasonBeforeAnythingStarts(String name, String content, String lineAndReason)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("DALBHARAT.csv"), Files.readString(EngineFixture.SAMPLE.resolve("DALBHARAT.csv")));
    Files.writeString(data.resolve(name), content);
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("run", "--data", data.toString(), "--data-dir", dir.resolve("state").toString(), "--exit-at-end"));
    assertEquals(2, code[0]);
    assertEquals("ordo run: bad market data: " + data.resolve(name) + lineAndReason + HINT + System.lineSeparator(), err);
    assertTrue(Files.notExists(dir.resolve("state")), "nothing was started or written");
  }

  @Test
  void aFileThatIsNotTextStopsTheRunWithItsNameAndLine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.write(data.resolve("TCS.csv"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("run", "--data", data.toString(), "--data-dir", dir.resolve("state").toString(), "--exit-at-end"));
    assertEquals(2, code[0]);
    assertEquals("ordo run: bad market data: " + data.resolve("TCS.csv") + " line 1: not UTF-8 text (byte 0x89 at offset 0): bar files are"
        + " UTF-8 CSV" + HINT + System.lineSeparator(), err);
    assertTrue(Files.notExists(dir.resolve("state")), "nothing was started or written");
  }

  @Test
  void aFolderOfFoldersNamesTheOnesThatHoldBarFiles() throws Exception {
    Files.createDirectories(dir.resolve("data/nse_equity_5min"));
    Files.writeString(dir.resolve("data/nse_equity_5min/TCS.csv"), tcs(10, 1, row -> row));
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("backtest", "--data", dir.resolve("data").toString()));
    assertEquals(2, code[0]);
    assertEquals("ordo backtest: no .csv bar files in " + dir.resolve("data") + " (its folders nse_equity_5min have some: name one of them)"
        + System.lineSeparator(), err);
  }

  @Test
  void aByteOrderMarkAndACapitalisedHeaderRunLikeThePlainFile() throws Exception {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    Files.copy(EngineFixture.SAMPLE.resolve("TCS.csv"), plain.resolve("TCS.csv"));
    Path marked = Files.createDirectories(dir.resolve("marked"));
    Files.write(marked.resolve("TCS.csv"), ("\uFEFF" + Files.readString(plain.resolve("TCS.csv"))
        .replaceFirst("date,open,high,low,close,volume", "Date,Open,High,Low,Close,Volume")).getBytes(StandardCharsets.UTF_8));
    int[] code = new int[2];
    String err = stderrOf(() -> {
      code[0] = run("backtest", "--data", plain.toString(), "--report", dir.resolve("plain.json").toString());
      code[1] = run("run", "--data", marked.toString(), "--speed", "max", "--exit-at-end", "--data-dir", dir.resolve("state").toString(),
          "--http-port", "0", "--report", dir.resolve("marked.json").toString());
    });
    assertEquals(0, code[0], err);
    assertEquals(0, code[1], err);
    JsonNode expected = Json.mapper().readTree(dir.resolve("plain.json").toFile()).get("trades");
    assertTrue(expected.size() > 0, "the sample's TCS trades");
    assertEquals(expected, Json.mapper().readTree(dir.resolve("marked.json").toFile()).get("trades"));
    // the backtest's and the engine's report files have the documented shape
    ApiSchema.assertConforms("Report", Json.mapper().readTree(dir.resolve("plain.json").toFile()));
    ApiSchema.assertConforms("Report", Json.mapper().readTree(dir.resolve("marked.json").toFile()));
  }

  @Test
  void aBadSpeedIsRefused() {
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("run", "--speed", "fast", "--data-dir", dir.toString()));
    assertEquals(2, code[0]);
    assertTrue(err.contains("speed must be 'max' or '<N>x'"), err);
  }

  @Test
  void toBeforeFromIsRefused() {
    int[] code = new int[1];
    String err = stderrOf(() -> code[0] = run("run", "--from", "2024-02-01", "--to", "2024-01-01", "--data-dir", dir.toString()));
    assertEquals(2, code[0]);
    assertTrue(err.contains("is before --from"), err);
  }
}
