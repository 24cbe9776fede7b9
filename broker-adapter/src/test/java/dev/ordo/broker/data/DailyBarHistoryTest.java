package dev.ordo.broker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NSE daily bar files (the layout of shared/data/nse_equity_daily) and the history served from them. */
class DailyBarHistoryTest {

  static final Path BUNDLED = Path.of("..", "data", "sample", "nse_equity_daily");
  static final Path SHARED = Path.of("..", "..", "shared", "data", "nse_equity_daily");
  static final String HEADER = "timestamp,open,high,low,close,volume,oi\n";

  @TempDir
  Path dir;

  @Test
  void everyRealDailyFileReadsAsOneDayBarsOfItsNseInstrument() {
    if (!Files.isDirectory(SHARED)) fail("the real market data " + SHARED.toAbsolutePath().normalize() + " is missing");
    DailyBarHistory history = DailyBarHistory.read(SHARED);
    assertEquals(46, history.instruments().size());
    InstrumentId tcs = new InstrumentId("TCS-EQ", "NSE");
    assertEquals(new BigDecimal("0.05"), history.instruments().get(tcs).tickSize());
    assertTrue(history.instruments().containsKey(new InstrumentId("M&M-EQ", "NSE")));
    // the last three sessions before 2025-09-30: 2025-09-25, 26 and 29 (a weekend in between)
    List<Bar> bars = history.before(tcs, LocalDate.of(2025, 9, 30), 3);
    assertEquals(List.of(LocalDate.of(2025, 9, 25), LocalDate.of(2025, 9, 26), LocalDate.of(2025, 9, 29)),
        bars.stream().map(b -> b.tsOpen().toLocalDate()).toList());
    assertEquals(Duration.ofDays(1), bars.get(0).interval());
    assertEquals(Price.of("2896.1"), bars.get(2).close());
    assertEquals(new BigDecimal("3110035"), bars.get(2).volume());
    assertEquals(List.of(), history.before(tcs, LocalDate.of(2020, 10, 1), 5), "nothing before the first day");
    assertEquals(List.of(), history.before(new InstrumentId("NOPE-EQ", "NSE"), LocalDate.of(2025, 1, 1), 5));
  }

  @Test
  void theBundledSliceCoversTheTwentyOneSessionsBeforeTheSamplesFirstDay() {
    DailyBarHistory history = DailyBarHistory.read(BUNDLED);
    assertEquals(46, history.instruments().size());
    for (InstrumentId id : history.instruments().keySet()) {
      List<Bar> bars = history.before(id, LocalDate.of(2024, 1, 12), 21);
      assertEquals(21, bars.size(), id.toString());
      assertEquals(LocalDate.of(2024, 1, 11), bars.get(20).tsOpen().toLocalDate(), id.toString());
    }
  }

  @Test
  void badDailyFilesAreRefusedWithFileLineAndReason() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("daily"));
    Path file = folder.resolve("TCS.csv");
    Files.writeString(file, HEADER + "2024-01-10 00:00:00+05:30,3700,3720,3690,3710,100,0\n2024-01-11 09:15:00+05:30,3700,3720,3690,3710,100,0\n");
    BadBarDataException late = assertThrows(BadBarDataException.class, () -> DailyBarHistory.read(folder));
    assertTrue(late.getMessage().contains("line 3") && late.getMessage().contains("is not at 00:00"), late.getMessage());
    Files.writeString(file, HEADER + "2024-01-10 00:00:00+05:30,3700,3720,3690,3710,100,0.5\n");
    BadBarDataException oi = assertThrows(BadBarDataException.class, () -> DailyBarHistory.read(folder));
    assertTrue(oi.getMessage().contains("line 2") && oi.getMessage().contains("oi '0.5' is not a whole number"), oi.getMessage());
    Files.writeString(file, HEADER + "2024-01-10 00:00:00+00:00,3700,3720,3690,3710,100,0\n");
    BadBarDataException offset = assertThrows(BadBarDataException.class, () -> DailyBarHistory.read(folder));
    assertTrue(offset.getMessage().contains("+05:30"), offset.getMessage());
    Files.writeString(file, "date,open,high,low,close,volume\n2024-01-12 09:15:00+05:30,3848.0,3860.25,3821.6,3847.75,859308\n"
        + "2024-01-12 09:20:00+05:30,3848.0,3860.25,3821.6,3847.75,859308\n");
    BadBarDataException intraday = assertThrows(BadBarDataException.class, () -> DailyBarHistory.read(folder));
    assertTrue(intraday.getMessage().contains("5-minute bars, not daily ones"), intraday.getMessage());
  }
}
