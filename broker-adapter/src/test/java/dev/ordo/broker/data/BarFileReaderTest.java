package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.InstrumentBars;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarFileReaderTest {

  static final String NSE_HEADER = "date,open,high,low,close,volume\n";

  @TempDir
  Path dir;

  Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  BadBarDataException bad(String content) throws IOException {
    Path file = write("BAD.csv", content);
    return assertThrows(BadBarDataException.class, () -> BarFileReader.read(file));
  }

  @Test
  void readsNseBarsAsNameEqOnNseWithTheirOffset() throws IOException {
    Path file = write("DALBHARAT.csv", NSE_HEADER
        + "2023-07-03 09:15:00+05:30,2183.8,2202.05,2171.3,2197.3,7323\n"
        + "2023-07-03 09:20:00+05:30,2197.3,2197.3,2182.6,2193.85,11181\n");
    InstrumentBars bars = BarFileReader.read(file);
    assertEquals(new InstrumentId("DALBHARAT-EQ", "NSE"), bars.instrument().id());
    assertEquals(0, bars.instrument().tickSize().compareTo(new BigDecimal("0.05")));
    assertEquals("INR", bars.instrument().currency());
    assertEquals(2, bars.bars().size());
    assertEquals(OffsetDateTime.parse("2023-07-03T09:20:00+05:30"), bars.bars().get(1).tsOpen());
    assertEquals(Price.of("2193.85"), bars.bars().get(1).close());
    assertEquals(Duration.ofMinutes(5), bars.bars().get(0).interval());
  }

  @Test
  void readsCryptoBarsWithoutTheIntervalSuffixAndATickFromTheData() throws IOException {
    Path file = write("DOGEUSDT_1m.csv", "timestamp,open,high,low,close,volume\n"
        + "2025-05-30 16:42:00+00:00,0.19863,0.19878,0.1985,0.19877,1562946\n"
        + "2025-05-30 16:43:00+00:00,0.19877,0.1989,0.19861,0.19866,1184112\n");
    InstrumentBars bars = BarFileReader.read(file);
    assertEquals(new InstrumentId("DOGEUSDT", "BYBIT"), bars.instrument().id());
    assertEquals(0, bars.instrument().tickSize().compareTo(new BigDecimal("0.00001")));
    assertEquals(Duration.ofMinutes(1), bars.bars().get(0).interval());
  }

  @Test
  void namesFileLineAndFieldOfAnUnparseableNumber() throws IOException {
    BadBarDataException e = bad(NSE_HEADER
        + "2023-07-03 09:15:00+05:30,2183.8,2202.05,2171.3,2197.3,7323\n"
        + "2023-07-03 09:20:00+05:30,2197.3,abc,2182.6,2193.85,11181\n");
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("BAD.csv line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("high is not a decimal number: 'abc'"), e.getMessage());
  }

  @Test
  void rejectsAMissingField() throws IOException {
    BadBarDataException e = bad(NSE_HEADER + "2023-07-03 09:15:00+05:30,2183.8,2202.05,,2197.3,7323\n");
    assertTrue(e.getMessage().contains("line 2: missing low"), e.getMessage());
  }

  @Test
  void rejectsARowWithTooFewFields() throws IOException {
    BadBarDataException e = bad(NSE_HEADER + "2023-07-03 09:15:00+05:30,2183.8,2202.05\n");
    assertTrue(e.getMessage().contains("line 2: expected 6 fields, found 3"), e.getMessage());
  }

  @Test
  void rejectsATimestampWithoutOffset() throws IOException {
    BadBarDataException e = bad(NSE_HEADER + "2023-07-03 09:15:00,2183.8,2202.05,2171.3,2197.3,7323\n");
    assertTrue(e.getMessage().contains("has no UTC offset"), e.getMessage());
  }

  @Test
  void rejectsATimeNotAfterThePreviousRow() throws IOException {
    BadBarDataException e = bad(NSE_HEADER
        + "2023-07-03 09:20:00+05:30,2183.8,2202.05,2171.3,2197.3,7323\n"
        + "2023-07-03 09:20:00+05:30,2197.3,2197.3,2182.6,2193.85,11181\n");
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("is not after the previous row"), e.getMessage());
  }

  @Test
  void rejectsAnUnknownHeader() throws IOException {
    BadBarDataException e = bad("time,o,h,l,c,v\n2023-07-03 09:15:00+05:30,1,1,1,1,1\n");
    assertEquals(1, e.line());
  }

  @Test
  void keepsAnInconsistentBarAndWarns() throws IOException {
    // 2024-06-25 09:15 of BHARTIARTL opens outside its own high-low range in the real data.
    Path file = write("BHARTIARTL.csv", NSE_HEADER + "2024-06-25 09:15:00+05:30,1434.0,1429.85,1422.3,1425.0,100\n");
    InstrumentBars bars = BarFileReader.read(file);
    assertEquals(1, bars.bars().size());
    assertEquals(1, bars.warnings().size());
    assertTrue(bars.warnings().get(0).contains("open 1434.0 outside high-low"), bars.warnings().get(0));
  }

  @Test
  void aFolderWithoutCsvFilesIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BarFileReader.readFolder(dir));
    assertTrue(e.getMessage().contains("no .csv bar files"));
  }
}
