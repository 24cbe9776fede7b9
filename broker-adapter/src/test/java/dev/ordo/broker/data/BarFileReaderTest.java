package dev.ordo.broker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bar files built from real rows: the first rows of the bundled TCS sample (a slice of
 * {@code shared/data/nse_equity_5min/TCS.csv}) or rows copied from {@code shared/data}, with one
 * thing broken. A refusal names the file, the line and the reason.
 */
class BarFileReaderTest {

  static final String NSE_HEADER = "date,open,high,low,close,volume\n";
  static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");
  /** Real Bybit rows of shared/data/crypto_1m/DOGEUSDT_1m.csv. */
  static final String DOGE = "timestamp,open,high,low,close,volume\n"
      + "2025-05-30 16:42:00+00:00,0.19863,0.19878,0.1985,0.19877,1562946\n"
      + "2025-05-30 16:43:00+00:00,0.19877,0.1989,0.19861,0.19866,1184112\n"
      + "2025-05-30 16:44:00+00:00,0.19866,0.19869,0.19831,0.19844,1478571\n";

  @TempDir
  Path dir;

  Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  /**
   * The header and the first {@code rows} rows of the bundled TCS file (2024-01-12 from 09:15),
   * line {@code line} (1-based, the header is line 1) changed by {@code change}.
   */
  static String tcs(int rows, int line, UnaryOperator<String> change) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(SAMPLE.resolve("TCS.csv")).subList(0, rows + 1));
    lines.set(line - 1, change.apply(lines.get(line - 1)));
    return String.join("\n", lines) + "\n";
  }

  /** {@code row} with its field {@code index} (0 = date, ..., 5 = volume) set to {@code value}. */
  static String set(String row, int index, String value) {
    String[] fields = row.split(",", -1);
    fields[index] = value;
    return String.join(",", fields);
  }

  static final int DATE = 0, OPEN = 1, HIGH = 2, LOW = 3, CLOSE = 4, VOLUME = 5;

  /** Reads {@code content} as {@code TCS.csv}, expects a refusal at {@code line} whose message has {@code reason}. */
  BadBarDataException refused(String content, long line, String reason) throws IOException {
    return refused("TCS.csv", content, line, reason);
  }

  BadBarDataException refused(String name, String content, long line, String reason) throws IOException {
    Path file = write(name, content);
    BadBarDataException e = assertThrows(BadBarDataException.class, () -> BarFileReader.read(file));
    assertEquals(file, e.file());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + (line > 0 ? " line " + line : "") + ": " + reason), e.getMessage());
    return e;
  }

  static String unchanged(String row) {
    return row;
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
    InstrumentBars bars = BarFileReader.read(write("DOGEUSDT_1m.csv", DOGE));
    assertEquals(new InstrumentId("DOGEUSDT", "BYBIT"), bars.instrument().id());
    assertEquals(0, bars.instrument().tickSize().compareTo(new BigDecimal("0.00001")));
    assertEquals(Duration.ofMinutes(1), bars.bars().get(0).interval());
  }

  // --- harmless input is read ---

  @Test
  void readsAByteOrderMarkAndACapitalisedHeaderLikeThePlainFile() throws IOException {
    String plain = tcs(10, 1, BarFileReaderTest::unchanged);
    InstrumentBars expected = BarFileReader.read(write("TCS.csv", plain));
    Path marked = Files.createDirectories(dir.resolve("marked")).resolve("TCS.csv");
    Files.write(marked, ("\uFEFF" + plain.replaceFirst("date,open,high,low,close,volume", "Date,Open,High,Low,Close,Volume"))
        .getBytes(StandardCharsets.UTF_8));
    InstrumentBars read = BarFileReader.read(marked);
    assertEquals(expected.instrument(), read.instrument());
    assertEquals(expected.bars(), read.bars());
  }

  @Test
  void readsWindowsLineEndingsAndNamesTheRightLine() throws IOException {
    assertEquals(10, BarFileReader.read(write("TCS.csv", tcs(10, 1, BarFileReaderTest::unchanged).replace("\n", "\r\n"))).bars().size());
    refused(tcs(10, 7, row -> set(row, OPEN, "0")).replace("\n", "\r\n"), 7, "open is 0: a price must be positive");
  }

  @Test
  void countsBlankLinesInTheLineNumber() throws IOException {
    String content = tcs(10, 7, row -> set(row, OPEN, "0")).replaceFirst("\n", "\n\n");
    refused(content, 8, "open is 0");
  }

  @Test
  void readsAZeroVolumeBar() throws IOException {
    // shared/data DALBHARAT.csv line 2223: a real bar without trades.
    InstrumentBars bars = BarFileReader.read(write("DALBHARAT.csv", NSE_HEADER
        + "2023-08-11 13:00:00+05:30,1994.35,1994.35,1994.35,1994.35,110\n"
        + "2023-08-11 13:05:00+05:30,1994.35,1994.35,1994.35,1994.35,0\n"));
    assertEquals(0, bars.bars().get(1).volume().signum());
  }

  @Test
  void keepsAnOpenOutsideTheRangeOnASessionsFirstBarAndWarns() throws IOException {
    // 2024-06-25 09:15 of BHARTIARTL opens (at the opening auction's price) outside its own high-low range in the real data.
    Path file = write("BHARTIARTL.csv", NSE_HEADER + "2024-06-25 09:15:00+05:30,1434.0,1429.85,1422.3,1425.0,100\n");
    InstrumentBars bars = BarFileReader.read(file);
    assertEquals(1, bars.bars().size());
    assertEquals(List.of("BHARTIARTL.csv line 2: open 1434.0 outside high-low 1422.3-1429.85 on the session's first bar"
        + " (the opening auction's price; used as it is)"), bars.warnings());
  }

  // --- impossible values ---

  @Test
  void refusesAPriceOfZero() throws IOException {
    refused(tcs(5, 4, row -> set(row, LOW, "0")), 4, "low is 0: a price must be positive");
    refused(tcs(5, 4, row -> set(row, CLOSE, "0.00")), 4, "close is 0.00: a price must be positive");
  }

  @Test
  void refusesANegativePrice() throws IOException {
    refused(tcs(5, 3, row -> set(row, LOW, "-3842.25")), 3, "low is negative: '-3842.25'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "3,848.0", "abc", "0x10"})
  void refusesWhatIsNotADecimalNumber(String value) throws IOException {
    refused(tcs(5, 3, row -> set(row, HIGH, value.contains(",") ? "\"" + value + "\"" : value)), 3,
        "high is not a decimal number: '" + value + "'");
  }

  @Test
  void refusesHugeValues() throws IOException {
    refused(tcs(5, 3, row -> set(row, HIGH, "1E+12")), 3, "high '1E+12' is too large: a price must be below 1000000000");
    refused(tcs(5, 3, row -> set(row, HIGH, "1000000000")), 3, "high '1000000000' is too large");
    refused(tcs(5, 3, row -> set(row, VOLUME, "1E+999999999")), 3, "volume '1E+999999999' is too large: a volume must be below 1000000000000000");
  }

  @Test
  void refusesMoreDecimalsThanTheLayoutHas() throws IOException {
    refused(tcs(5, 3, row -> set(row, CLOSE, "3844.051")), 3, "close '3844.051' has more than 2 decimals: NSE prices are in paise");
    refused("DOGEUSDT_1m.csv", DOGE.replace("0.19866,1184112", "0.19866,1184112.00000000001"), 3,
        "volume '1184112.00000000001' has more than 10 decimals");
  }

  @Test
  void readsTrailingZerosAndAnExponentThatAreWithinTheLimits() throws IOException {
    InstrumentBars bars = BarFileReader.read(write("TCS.csv", tcs(5, 3, row -> set(set(row, CLOSE, "3844.0500"), VOLUME, "3.06426E+5"))));
    assertEquals(Price.of("3844.05"), bars.bars().get(1).close());
    assertEquals(0, new BigDecimal("306426").compareTo(bars.bars().get(1).volume()));
  }

  @Test
  void refusesANegativeVolume() throws IOException {
    refused(tcs(5, 5, row -> set(row, VOLUME, "-171485")), 5, "volume is negative: '-171485'");
  }

  @Test
  void refusesAFractionalVolumeOfAnEquity() throws IOException {
    refused(tcs(5, 4, row -> set(row, VOLUME, "306426.5")), 4, "volume '306426.5' is not a whole number: an NSE volume counts shares");
  }

  @Test
  void readsAFractionalVolumeOfACoin() throws IOException {
    assertEquals(0, new BigDecimal("1184112.25").compareTo(
        BarFileReader.read(write("DOGEUSDT_1m.csv", DOGE.replace("1184112", "1184112.25"))).bars().get(1).volume()));
  }

  @Test
  void refusesHighBelowLow() throws IOException {
    // 09:20: high 3857.8, low 3842.25 swapped
    refused(tcs(5, 3, row -> set(set(row, HIGH, "3842.25"), LOW, "3857.8")), 3, "high 3842.25 is below low 3857.8");
  }

  @Test
  void refusesACloseOutsideTheRange() throws IOException {
    refused(tcs(5, 3, row -> set(row, CLOSE, "3857.85")), 3, "close 3857.85 is outside low-high 3842.25-3857.8");
  }

  @Test
  void refusesAnOpenOutsideTheRangeWithinASession() throws IOException {
    refused(tcs(5, 3, row -> set(row, OPEN, "3842.2")), 3,
        "open 3842.2 is outside low-high 3842.25-3857.8 (only a session's first bar may open outside its range)");
  }

  // --- impossible times ---

  @Test
  void rejectsATimestampWithoutOffset() throws IOException {
    refused(tcs(5, 2, row -> set(row, DATE, "2024-01-12 09:15:00")), 2, "date '2024-01-12 09:15:00' has no UTC offset");
  }

  @Test
  void refusesAnNseTimeInAnotherOffset() throws IOException {
    refused(tcs(5, 3, row -> set(row, DATE, "2024-01-12 03:50:00+00:00")), 3,
        "date '2024-01-12 03:50:00+00:00' is not in the exchange's time: NSE times carry the offset +05:30");
  }

  @Test
  void refusesMixedOffsetsInAFile() throws IOException {
    refused("DOGEUSDT_1m.csv", DOGE.replace("2025-05-30 16:44:00+00:00", "2025-05-30 17:44:00+01:00"), 4,
        "timestamp '2025-05-30 17:44:00+01:00' has the offset +01:00, the rows before +00:00: a file keeps one UTC offset");
  }

  @Test
  void rejectsATimeNotAfterThePreviousRow() throws IOException {
    refused(tcs(5, 4, row -> set(row, DATE, "2024-01-12 09:20:00+05:30")), 4,
        "time 2024-01-12 09:20:00+05:30 is not after the previous row's 2024-01-12 09:20:00+05:30");
    refused(tcs(5, 4, row -> set(row, DATE, "2024-01-12 09:10:00+05:30")), 4, "time 2024-01-12 09:10:00+05:30 is not after");
  }

  @Test
  void refusesATimeOffTheBarGridOfItsSession() throws IOException {
    refused(tcs(10, 6, row -> set(row, DATE, "2024-01-12 09:37:00+05:30")), 6,
        "date 2024-01-12 09:37:00+05:30 is off the 5-minute grid of its session, which starts at 09:15 (line 2)");
  }

  @Test
  void refusesAMinuteBarNotOnAWholeMinute() throws IOException {
    refused(tcs(10, 6, row -> set(row, DATE, "2024-01-12 09:35:30+05:30")), 6,
        "date 2024-01-12 09:35:30+05:30 is not on a whole minute, as 5-minute bars are");
  }

  @Test
  void readsSessionsThatStartLateOrPauseOnTheirGrid() throws IOException {
    // The shapes of the real calendar: RELIANCE's 2023-07-20 session starts at 10:00, the 2024-03-02 session pauses 10:00-11:30.
    InstrumentBars bars = BarFileReader.read(write("RELIANCE.csv", NSE_HEADER
        + "2023-07-20 10:00:00+05:30,2599.0,2600.0,2590.0,2595.0,1000\n"
        + "2023-07-20 10:05:00+05:30,2595.0,2600.0,2590.0,2595.0,1000\n"
        + "2024-03-02 09:55:00+05:30,2980.0,2990.0,2970.0,2985.0,1000\n"
        + "2024-03-02 11:30:00+05:30,2985.0,2990.0,2970.0,2985.0,1000\n"));
    assertEquals(4, bars.bars().size());
  }

  // --- rows and headers that are not bars ---

  @Test
  void namesFileLineAndFieldOfAnUnparseableNumber() throws IOException {
    refused(tcs(5, 3, row -> set(row, HIGH, "abc")), 3, "high is not a decimal number: 'abc'");
  }

  @Test
  void rejectsAMissingField() throws IOException {
    refused(tcs(5, 3, row -> set(row, LOW, "")), 3, "missing low");
  }

  @Test
  void rejectsRowsWithTooFewOrTooManyFields() throws IOException {
    refused(tcs(5, 3, row -> row.substring(0, row.lastIndexOf(','))), 3, "expected 6 fields, found 5");
    refused(tcs(5, 3, row -> row + ",1"), 3, "expected 6 fields, found 7");
  }

  @Test
  void rejectsAnUnknownHeader() throws IOException {
    refused(tcs(5, 1, header -> "time,o,h,l,c,v"), 1, "the header must be date,open,high,low,close,volume (NSE equity bars),"
        + " timestamp,open,high,low,close,volume (crypto bars) or timestamp,open,high,low,close,volume,oi (NSE daily bars),"
        + " found 'time,o,h,l,c,v': the first column must be date or timestamp");
  }

  @Test
  void rejectsAHeaderWithAnExtraOrMissingColumn() throws IOException {
    String expected = "the header must be date,open,high,low,close,volume (NSE equity bars), timestamp,open,high,low,close,volume"
        + " (crypto bars) or timestamp,open,high,low,close,volume,oi (NSE daily bars)";
    // shared/data/nse_equity_daily's 'oi' column makes the daily layout; another column after it is unknown
    refused(tcs(5, 1, header -> "timestamp,open,high,low,close,volume,oi,extra"), 1,
        expected + ", found 'timestamp,open,high,low,close,volume,oi,extra': unknown column extra");
    refused(tcs(5, 1, header -> "date,open,high,low,close"), 1, expected + ", found 'date,open,high,low,close': missing volume");
    refused(tcs(5, 1, header -> "date,open,open,low,close,volume"), 1,
        expected + ", found 'date,open,open,low,close,volume': missing high, open twice");
  }

  @Test
  void refusesAnEmptyFile() throws IOException {
    refused("", 0, "is empty: a bar file starts with the header date,open,high,low,close,volume (or timestamp,...)");
    refused("\uFEFF\n  \n", 0, "is empty");
  }

  @Test
  void refusesAHeaderWithoutRows() throws IOException {
    refused(NSE_HEADER, 2, "no bar rows after the header");
  }

  @Test
  void refusesAFileThatIsNotText() throws IOException {
    Path png = dir.resolve("TCS.csv");
    Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
    BadBarDataException e = assertThrows(BadBarDataException.class, () -> BarFileReader.read(png));
    assertEquals(png + " line 1: not UTF-8 text (byte 0x89 at offset 0): bar files are UTF-8 CSV", e.getMessage());
  }

  @Test
  void namesTheLineOfTheFirstByteThatIsNotUtf8() throws IOException {
    Path file = dir.resolve("TCS.csv");
    byte[] text = tcs(5, 1, BarFileReaderTest::unchanged).getBytes(StandardCharsets.UTF_8);
    int thirdLine = tcs(5, 1, BarFileReaderTest::unchanged).indexOf("2024-01-12 09:20");
    text[thirdLine + 30] = (byte) 0xFF;
    Files.write(file, text);
    BadBarDataException e = assertThrows(BadBarDataException.class, () -> BarFileReader.read(file));
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("not UTF-8 text (byte 0xFF at offset " + (thirdLine + 30) + ")"), e.getMessage());
  }

  @Test
  void refusesUtf16Text() throws IOException {
    Path file = dir.resolve("TCS.csv");
    Files.write(file, tcs(5, 1, BarFileReaderTest::unchanged).getBytes(StandardCharsets.UTF_16LE));
    BadBarDataException e = assertThrows(BadBarDataException.class, () -> BarFileReader.read(file));
    assertEquals(file + " line 1: holds a NUL character, so it is not a text file (UTF-16?): bar files are UTF-8 CSV", e.getMessage());
  }

  @Test
  void refusesMalformedCsv() throws IOException {
    refused(tcs(5, 3, row -> set(row, HIGH, "\"3857.8\"x")), 3, "not valid CSV: Invalid character between encapsulated token and delimiter");
    refused(tcs(5, 4, row -> set(row, VOLUME, "\"171485")), 4, "not valid CSV: (startline 4) EOF reached before encapsulated token finished");
  }

  // --- names that cannot be instruments ---

  @ParameterizedTest
  @ValueSource(strings = {"TCS;DROP TABLE x", "TCS copy", "TCS_5min", "ABCDEFGHIJKLMNOPQRSTU", "-TCS", "TCSÉ"})
  void refusesAFileNameThatCannotBeAnNseSymbol(String name) throws IOException {
    refused(name + ".csv", tcs(5, 1, BarFileReaderTest::unchanged), 0, "the file name '" + name + "' cannot be an NSE symbol: name the file"
        + " SYMBOL.csv, SYMBOL being 1 to 20 letters, digits, '&' or '-' (TCS.csv, M&M.csv, BAJAJ-AUTO.csv)");
  }

  @Test
  void readsNseSymbolsWithAmpersandDashAndLowerCase() throws IOException {
    assertEquals(new InstrumentId("M&M-EQ", "NSE"), BarFileReader.read(write("M&M.csv", tcs(3, 1, BarFileReaderTest::unchanged))).instrument().id());
    assertEquals(new InstrumentId("BAJAJ-AUTO-EQ", "NSE"),
        BarFileReader.read(write("bajaj-auto.csv", tcs(3, 1, BarFileReaderTest::unchanged))).instrument().id());
    assertEquals(new InstrumentId("ABCDEFGHIJKLMNOPQRST-EQ", "NSE"),
        BarFileReader.read(write("ABCDEFGHIJKLMNOPQRST.csv", tcs(3, 1, BarFileReaderTest::unchanged))).instrument().id());
  }

  @ParameterizedTest
  @CsvSource({"BTC-USDT_1m, BTC-USDT", "BTC USDT_1m, BTC USDT", "_1m, ''"})
  void refusesAFileNameThatCannotBeACryptoPair(String name, String pair) throws IOException {
    refused(name + ".csv", DOGE, 0, "the file name '" + name + "' cannot be a crypto pair: name the file PAIR_1m.csv, PAIR being"
        + " 1 to 20 letters or digits (BTCUSDT_1m.csv)");
  }

  // --- folders ---

  @Test
  void aFolderWithoutCsvFilesIsAnErrorThatNamesItsFoldersOfBarFiles() throws IOException {
    Files.createDirectories(dir.resolve("nse")).resolve("TCS.csv");
    write("nse/TCS.csv", tcs(3, 1, BarFileReaderTest::unchanged));
    write("README.md", "bars are in nse/");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BarFileReader.readFolder(dir));
    assertEquals("no .csv bar files in " + dir + " (its folders nse have some: name one of them)", e.getMessage());
  }

  @Test
  void aFolderThatIsAFileOrMissingIsAnError() throws IOException {
    Path file = write("TCS.csv", tcs(3, 1, BarFileReaderTest::unchanged));
    assertEquals("data folder " + file + " is a file: name the folder that holds the bar files",
        assertThrows(IllegalArgumentException.class, () -> BarFileReader.readAll(file)).getMessage());
    assertEquals("data folder not found: " + dir.resolve("nowhere"),
        assertThrows(IllegalArgumentException.class, () -> BarFileReader.readAll(dir.resolve("nowhere"))).getMessage());
  }

  @Test
  void twoFilesOfOneInstrumentAreRefused() throws IOException {
    write("TCS.csv", tcs(3, 1, BarFileReaderTest::unchanged));
    Path second = write("tcs.csv", tcs(3, 1, BarFileReaderTest::unchanged));
    BadBarDataException e = assertThrows(BadBarDataException.class, () -> BarFileReader.readAll(dir));
    assertEquals(second + ": is the instrument TCS-EQ.NSE, like TCS.csv: keep one of the two", e.getMessage());
  }

  @Test
  void readsTheBarFilesAndListsTheEntriesItIgnores() throws IOException {
    write("TCS.csv", tcs(3, 1, BarFileReaderTest::unchanged));
    write("README.md", "NSE bars");
    write(".TCS.csv", "\0\0 an editor's backup");
    Files.createDirectories(dir.resolve("old.csv"));
    BarFolder folder = BarFileReader.readAll(dir);
    assertEquals(List.of(new InstrumentId("TCS-EQ", "NSE")), folder.files().stream().map(f -> f.instrument().id()).toList());
    assertEquals(List.of(".TCS.csv", "README.md", "old.csv"), folder.ignored());
  }

  @Test
  void theSampleLoadsWithoutARefusalOrAWarning() {
    BarFolder folder = BarFileReader.readAll(SAMPLE);
    assertEquals(4, folder.files().size());
    assertEquals(4500, folder.files().stream().mapToInt(f -> f.bars().size()).sum());
    assertEquals(List.of(), folder.files().stream().flatMap(f -> f.warnings().stream()).toList());
  }

  // --- scanning, then reading one bar at a time (the engine's replay) ---

  @Test
  void aScannedFolderReadsBackTheSameBarsOneAtATimeAndKeepsNoneInTheScan() {
    BarFolder read = BarFileReader.readAll(SAMPLE);
    ScannedBarFolder scanned = BarFileReader.scanAll(SAMPLE);
    assertEquals(read.fingerprint(), scanned.fingerprint());
    assertEquals(read.sha256ByFile(), scanned.sha256ByFile());
    assertEquals(read.files().size(), scanned.files().size());
    for (int f = 0; f < read.files().size(); f++) {
      InstrumentBars bars = read.files().get(f);
      BarFileIndex index = scanned.files().get(f);
      assertEquals(bars.instrument(), index.instrument());
      assertEquals(bars.bars().size(), index.openTimes().length);
      assertEquals(bars.bars().get(0).tsOpen().getOffset(), index.offset());
      List<Bar> again = new ArrayList<>();
      index.read().forEachRemaining(again::add);
      assertEquals(bars.bars(), again, index.source() + " read again");
    }
  }

  @Test
  void readingFromABarGivesTheBarsFromItOnAsAWholeReadDoes() throws IOException {
    Path file = write("TCS.csv", "\uFEFF" + tcs(3, 4, BarFileReaderTest::unchanged));
    BarFileIndex index = BarFileReader.scanAll(dir).files().get(0);
    List<Bar> whole = BarFileReader.read(file).bars();
    for (int first = 0; first < whole.size(); first++) {
      List<Bar> from = new ArrayList<>();
      index.readFrom(first).forEachRemaining(from::add);
      assertEquals(whole.subList(first, whole.size()), from, "from bar " + first);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> index.readFrom(whole.size()));
  }

  @Test
  void aScanRefusesABadFileAsAReadDoes() throws IOException {
    write("TCS.csv", tcs(3, 3, row -> set(row, HIGH, "1")));
    BadBarDataException read = assertThrows(BadBarDataException.class, () -> BarFileReader.readAll(dir));
    BadBarDataException scanned = assertThrows(BadBarDataException.class, () -> BarFileReader.scanAll(dir));
    assertEquals(read.getMessage(), scanned.getMessage());
    assertTrue(scanned.getMessage().startsWith(dir.resolve("TCS.csv") + " line 3: "), scanned.getMessage());
  }

  @Test
  void aFileWithAByteOrderMarkReadsBackTheSameBars() throws IOException {
    Path file = write("TCS.csv", "\uFEFF" + tcs(3, 1, BarFileReaderTest::unchanged));
    BarFileIndex index = BarFileReader.scanAll(dir).files().get(0);
    List<Bar> again = new ArrayList<>();
    index.read().forEachRemaining(again::add);
    assertEquals(BarFileReader.read(file).bars(), again);
  }

  // --- fingerprints ---

  @Test
  void fingerprintsTheFilesByNameAndContentTheSameEverywhere() throws IOException {
    BarFolder sample = BarFileReader.readAll(SAMPLE);
    // Computed independently: sha256sum of the file, and of the lines "<name>\n<sha256>\n" in name order.
    assertEquals("8a2b88e1e7fb9b0b1f6a01d8f2cb2046145877b0058676ee07fddc8b7a5a1f95", sample.sha256ByFile().get("TCS.csv"));
    assertEquals("a1444da9a590121147d5968f652f16855badd2becabb023a804875c36a0f1119", sample.fingerprint());

    Path copy = Files.createDirectories(dir.resolve("copy"));
    for (InstrumentBars file : sample.files()) Files.copy(file.source(), copy.resolve(file.source().getFileName()));
    assertEquals(sample.fingerprint(), BarFileReader.readAll(copy).fingerprint(), "a copy elsewhere has the same fingerprint");

    Files.writeString(copy.resolve("TCS.csv"), Files.readString(copy.resolve("TCS.csv")).replace("3848.0,3860.25", "3848.05,3860.25"));
    BarFolder changed = BarFileReader.readAll(copy);
    assertNotEquals(sample.fingerprint(), changed.fingerprint());
    assertEquals(sample.sha256ByFile().get("KOTAKBANK.csv"), changed.sha256ByFile().get("KOTAKBANK.csv"));
    assertNotEquals(sample.sha256ByFile().get("TCS.csv"), changed.sha256ByFile().get("TCS.csv"));
  }
}
