package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

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
