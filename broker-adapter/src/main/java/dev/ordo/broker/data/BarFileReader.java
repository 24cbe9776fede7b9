package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads OHLCV bar files (UTF-8 CSV, one header line, oldest row first) in the two layouts of
 * {@code shared/data}:
 *
 * <ul>
 *   <li>{@code date,open,high,low,close,volume} — NSE cash equities: file {@code NAME.csv} trades
 *       as {@code NAME-EQ} on venue {@code NSE}, INR, tick 0.05 (NSE price band rule for the period of
 *       the data), lot 1.
 *   <li>{@code timestamp,open,high,low,close,volume} — crypto klines (Bybit USDT perpetuals): file
 *       {@code PAIR_1m.csv} is {@code PAIR} on venue {@code BYBIT}, USDT; the tick is the finest
 *       price decimal seen in the file; lot 0.001.
 * </ul>
 *
 * The first column is the bar's open time {@code yyyy-MM-dd HH:mm:ss±HH:MM}. A row is bad, and
 * reading stops with a {@link BadBarDataException} naming file and line, when a field is missing
 * or unparseable, the time has no offset, or the time is not after the previous row's. Rows that
 * are readable but inconsistent (open or close outside high-low) are kept and reported in
 * {@link InstrumentBars#warnings()}.
 */
public final class BarFileReader {

  private static final List<String> PRICE_COLUMNS = List.of("open", "high", "low", "close", "volume");
  private static final Pattern INTERVAL_SUFFIX = Pattern.compile("_(\\d+)([smhdSMHD])$");
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd")
      .optionalStart().appendLiteral(' ').optionalEnd()
      .optionalStart().appendLiteral('T').optionalEnd()
      .appendPattern("HH:mm:ss")
      .appendOffset("+HH:MM", "Z")
      .toFormatter(Locale.ROOT);

  private BarFileReader() {}

  /**
   * Reads every {@code *.csv} file of {@code folder} (not recursive), sorted by file name.
   *
   * @throws BadBarDataException   on the first bad row or header
   * @throws IllegalArgumentException when the folder does not exist or holds no CSV file
   * @throws UncheckedIOException  when a file cannot be read
   */
  public static List<InstrumentBars> readFolder(Path folder) {
    if (!Files.isDirectory(folder)) throw new IllegalArgumentException("data folder not found: " + folder);
    List<Path> files;
    try (Stream<Path> listing = Files.list(folder)) {
      files = listing.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
    if (files.isEmpty()) throw new IllegalArgumentException("no .csv bar files in " + folder);
    List<InstrumentBars> result = new ArrayList<>();
    for (Path file : files) result.add(read(file));
    return result;
  }

  /**
   * Reads one bar file.
   *
   * @throws BadBarDataException  on a bad header or row
   * @throws UncheckedIOException when the file cannot be read
   */
  public static InstrumentBars read(Path file) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(reader, format)) {
      Layout layout = layout(file, parser.getHeaderNames());
      String baseName = baseName(file);
      InstrumentId id = layout.instrumentId(baseName);
      List<Row> rows = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      int maxScale = 0;
      OffsetDateTime previous = null;
      for (CSVRecord record : parser) {
        long line = record.getParser().getCurrentLineNumber();
        Row row = parseRow(file, line, record, layout.timeColumn());
        if (previous != null && !row.tsOpen().toInstant().isAfter(previous.toInstant()))
          throw new BadBarDataException(file, line,
              "time " + row.tsOpen() + " is not after the previous row's " + previous);
        previous = row.tsOpen();
        for (BigDecimal p : List.of(row.open(), row.high(), row.low(), row.close())) maxScale = Math.max(maxScale, p.scale());
        String inconsistency = row.inconsistency();
        if (inconsistency != null) warnings.add(file.getFileName() + " line " + line + ": " + inconsistency + " (used as it is)");
        rows.add(row);
      }
      if (rows.isEmpty()) throw new BadBarDataException(file, 2, "no bar rows after the header");
      Duration interval = typicalInterval(rows);
      Instrument instrument = layout.instrument(id, maxScale);
      List<Bar> bars = new ArrayList<>(rows.size());
      for (Row r : rows)
        bars.add(new Bar(id, interval, Price.of(r.open()), Price.of(r.high()), Price.of(r.low()), Price.of(r.close()), r.volume(), r.tsOpen()));
      return new InstrumentBars(instrument, file, bars, warnings);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (IllegalStateException | IllegalArgumentException e) {
      if (e instanceof BadBarDataException) throw e;
      // commons-csv reports malformed quoting and the like as unchecked exceptions.
      throw new BadBarDataException(file, 0, "not a readable CSV file: " + e.getMessage());
    }
  }

  private record Row(OffsetDateTime tsOpen, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal close, BigDecimal volume) {
    String inconsistency() {
      if (high.compareTo(low) < 0) return "high " + high + " below low " + low;
      if (open.compareTo(high) > 0 || open.compareTo(low) < 0) return "open " + open + " outside high-low " + low + "-" + high;
      if (close.compareTo(high) > 0 || close.compareTo(low) < 0) return "close " + close + " outside high-low " + low + "-" + high;
      return null;
    }
  }

  private static Row parseRow(Path file, long line, CSVRecord record, String timeColumn) {
    if (!record.isConsistent())
      throw new BadBarDataException(file, line, "expected " + record.getParser().getHeaderNames().size() + " fields, found " + record.size());
    String time = field(file, line, record, timeColumn);
    OffsetDateTime tsOpen;
    try {
      tsOpen = OffsetDateTime.parse(time, TIMESTAMP);
    } catch (DateTimeParseException e) {
      String why = time.matches("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}") ? "has no UTC offset" : "is not yyyy-MM-dd HH:mm:ss+HH:MM";
      throw new BadBarDataException(file, line, timeColumn + " '" + time + "' " + why);
    }
    Map<String, BigDecimal> values = new HashMap<>();
    for (String column : PRICE_COLUMNS) {
      String text = field(file, line, record, column);
      try {
        BigDecimal value = new BigDecimal(text);
        if (value.signum() < 0) throw new BadBarDataException(file, line, column + " is negative: '" + text + "'");
        values.put(column, value);
      } catch (NumberFormatException e) {
        throw new BadBarDataException(file, line, column + " is not a decimal number: '" + text + "'");
      }
    }
    return new Row(tsOpen, values.get("open"), values.get("high"), values.get("low"), values.get("close"), values.get("volume"));
  }

  private static String field(Path file, long line, CSVRecord record, String column) {
    String value = record.isSet(column) ? record.get(column) : null;
    if (value == null || value.isEmpty()) throw new BadBarDataException(file, line, "missing " + column);
    return value;
  }

  private static Duration typicalInterval(List<Row> rows) {
    Map<Duration, Integer> counts = new HashMap<>();
    for (int i = 1; i < rows.size(); i++) {
      Duration d = Duration.between(rows.get(i - 1).tsOpen(), rows.get(i).tsOpen());
      if (rows.get(i - 1).tsOpen().toLocalDate().equals(rows.get(i).tsOpen().toLocalDate())) counts.merge(d, 1, Integer::sum);
    }
    return counts.entrySet().stream()
        .max(Map.Entry.<Duration, Integer>comparingByValue().thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey)
        .orElse(Duration.ofMinutes(1));
  }

  private static String baseName(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.length() - ".csv".length());
  }

  private static Layout layout(Path file, List<String> header) {
    List<String> lower = header.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    if (!lower.containsAll(PRICE_COLUMNS))
      throw new BadBarDataException(file, 1, "header must have open,high,low,close,volume, found " + header);
    if (!lower.isEmpty() && lower.get(0).equals("date")) return Layout.NSE_EQUITY;
    if (!lower.isEmpty() && lower.get(0).equals("timestamp")) return Layout.CRYPTO;
    throw new BadBarDataException(file, 1, "first column must be 'date' (NSE equity bars) or 'timestamp' (crypto bars), found " + header);
  }

  private enum Layout {
    NSE_EQUITY("date") {
      @Override
      InstrumentId instrumentId(String baseName) {
        return new InstrumentId(baseName.toUpperCase(Locale.ROOT) + "-EQ", "NSE");
      }

      @Override
      Instrument instrument(InstrumentId id, int maxScale) {
        return new Instrument(id, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null);
      }
    },
    CRYPTO("timestamp") {
      @Override
      InstrumentId instrumentId(String baseName) {
        return new InstrumentId(INTERVAL_SUFFIX.matcher(baseName).replaceFirst("").toUpperCase(Locale.ROOT), "BYBIT");
      }

      @Override
      Instrument instrument(InstrumentId id, int maxScale) {
        return new Instrument(id, BigDecimal.ONE.movePointLeft(maxScale), new BigDecimal("0.001"), "USDT", null);
      }
    };

    private final String timeColumn;

    Layout(String timeColumn) {
      this.timeColumn = timeColumn;
    }

    String timeColumn() {
      return timeColumn;
    }

    abstract InstrumentId instrumentId(String baseName);

    abstract Instrument instrument(InstrumentId id, int maxScale);
  }
}
