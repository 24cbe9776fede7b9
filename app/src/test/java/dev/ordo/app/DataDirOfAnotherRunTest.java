package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordo.app.http.Json;
import dev.ordo.persistence.JournalSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A data folder ({@code --data-dir}) holds one run: resumed over other bar files or sessions, it
 * is refused with what differs and nothing stored changes; with
 * {@code --continue-over-different-data} it goes on and the choice is journaled.
 */
class DataDirOfAnotherRunTest {

  @TempDir
  Path dir;

  record Outcome(int code, String err) {}

  Outcome run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true));
    try {
      int code = new CommandLine(new Main()).execute(args);
      return new Outcome(code, buffer.toString());
    } finally {
      System.setErr(original);
    }
  }

  Outcome runOver(Path data, String to, String... more) {
    List<String> args = new ArrayList<>(List.of("run", "--data", data.toString(), "--to", to, "--speed", "max", "--exit-at-end",
        "--data-dir", dir.resolve("state").toString(), "--http-port", "0"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  /** Every journaled event as {@code persistence id, sequence number, manifest, JSON}, in journal order. */
  List<String> journal() throws Exception {
    List<String> events = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dir.resolve("state")), "sa", "");
        ResultSet rows = connection.createStatement().executeQuery("SELECT \"persistence_id\", \"sequence_number\", \"event_ser_manifest\","
            + " \"event_payload\" FROM \"event_journal\" ORDER BY \"ordering\"")) {
      while (rows.next())
        events.add(rows.getString(1) + " " + rows.getLong(2) + " " + rows.getString(3) + " " + new String(rows.getBytes(4), StandardCharsets.UTF_8));
    }
    return events;
  }

  @Test
  void aResumeOverOtherDataIsRefusedWithWhatDiffersUnlessAskedToContinue() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    for (String name : List.of("TCS.csv", "DALBHARAT.csv")) Files.copy(EngineFixture.SAMPLE.resolve(name), data.resolve(name));
    Outcome first = runOver(data, "2024-01-15");
    assertEquals(0, first.code(), first.err());
    List<String> stored = journal();
    assertEquals(1, stored.stream().filter(e -> e.startsWith("ReplayRun|paper 1 dev.ordo.engine.marketdata.ReplayRun$RunStarted ")).count(),
        "the first start is journaled: " + stored.stream().filter(e -> e.startsWith("ReplayRun")).toList());

    // Another real TCS row's volume, and a later last session: another run.
    Files.writeString(data.resolve("TCS.csv"), Files.readString(data.resolve("TCS.csv")).replace(",859308\n", ",859309\n"));
    Outcome refused = runOver(data, "2024-01-16");
    assertEquals(2, refused.code(), refused.err());
    assertEquals("ordo run: the data dir " + dir.resolve("state").toAbsolutePath() + " holds a run over other data (sessions:"
        + " 2024-01-12..2024-01-15 recorded, 2024-01-12..2024-01-16 now; bar files: TCS.csv changed): start a new run with another"
        + " --data-dir (or delete that folder), or continue this run over the new data with --continue-over-different-data"
        + System.lineSeparator(), refused.err());
    assertEquals(stored, journal(), "nothing stored changed");

    Outcome continued = runOver(data, "2024-01-16", "--continue-over-different-data");
    assertEquals(0, continued.code(), continued.err());
    List<String> runEvents = journal().stream().filter(e -> e.startsWith("ReplayRun|paper ")).toList();
    assertEquals(2, runEvents.size(), runEvents.toString());
    assertTrue(runEvents.get(1).startsWith("ReplayRun|paper 2 dev.ordo.engine.marketdata.ReplayRun$RunContinuedOverDifferentData "), runEvents.get(1));
    JsonNode event = Json.mapper().readTree(runEvents.get(1).substring(runEvents.get(1).indexOf('{')));
    assertEquals("2024-01-15", event.get("previous").get("to").asText());
    assertEquals("2024-01-16", event.get("manifest").get("to").asText());
    assertEquals("[\"sessions: 2024-01-12..2024-01-15 recorded, 2024-01-12..2024-01-16 now\",\"bar files: TCS.csv changed\"]",
        event.get("differences").toString());

    Outcome resumed = runOver(data, "2024-01-16");
    assertEquals(0, resumed.code(), "the run is over the new data from then on: " + resumed.err());
  }
}
