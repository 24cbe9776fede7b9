package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads OHLCV bar files (UTF-8 CSV, an optional byte-order mark, one header line, oldest row
 * first) in the two layouts of {@code shared/data}; header names are matched ignoring case:
 *
 * <ul>
 *   <li>{@code date,open,high,low,close,volume} — NSE cash equities: file {@code NAME.csv} trades
 *       as {@code NAME-EQ} on venue {@code NSE}, INR, tick 0.05 (NSE price band rule for the period of
 *       the data), lot 1. Times carry India's offset {@code +05:30}; prices have at most 2 decimals
 *       (paise); the volume is a whole number of shares.
 *   <li>{@code timestamp,open,high,low,close,volume} — crypto klines (Bybit USDT perpetuals): file
 *       {@code PAIR_1m.csv} is {@code PAIR} on venue {@code BYBIT}, USDT; the tick is the finest
 *       price decimal seen in the file; lot 0.001. Prices and volumes have at most 10 decimals.
 *   <li>{@code timestamp,open,high,low,close,volume,oi} — NSE cash equities' daily bars (the layout of
 *       {@code shared/data/nse_equity_daily}): as the first layout ({@code NAME-EQ} on {@code NSE}, INR, tick
 *       0.05, times in {@code +05:30}), one bar per trading day opening at 00:00, interval one day; {@code oi}
 *       (open interest, 0 for shares) must be a whole number and is not kept. These are the scanner's input,
 *       not a replay's.
 * </ul>
 *
 * The first column is the bar's open time {@code yyyy-MM-dd HH:mm:ss±HH:MM}. Whatever cannot be
 * a bar stops reading with a {@link BadBarDataException} naming file, line and reason: a file
 * that is empty, not UTF-8 text or not CSV; a header of neither layout; a file name that cannot be
 * the layout's symbol; a row with a missing, extra or unparseable field; a price that is not
 * positive or not below 10^9; a negative volume or one not below 10^15; more decimals than the
 * layout allows; high below low; close outside low-high; open outside low-high except on the
 * first bar of a session (the opening auction's price, which the real NSE data has: kept and
 * reported in {@link InstrumentBars#warnings()}); a time without offset, with another offset
 * than the file's first row, not after the previous row's, or off the bar grid of its session
 * (the session's first bar plus whole bar intervals, on whole minutes for minute bars).
 */
public final class BarFileReader {

  /** Prices must be below this (in instrument currency): no traded share or coin is near it. */
  static final BigDecimal MAX_PRICE = new BigDecimal("1000000000");
  /** Volumes must be below this (in shares or coins). */
  static final BigDecimal MAX_VOLUME = new BigDecimal("1000000000000000");

  private static final List<String> BAR_COLUMNS = List.of("open", "high", "low", "close", "volume");
  private static final Pattern INTERVAL_SUFFIX = Pattern.compile("_(\\d+)([smhdSMHD])$");
  /**
   * Symbols of at most 20 characters keep every persistence id ({@code SymbolTrader|account:SYMBOL.VENUE})
   * far inside the journal's 255-character id column.
   */
  private static final Pattern NSE_SYMBOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9&-]{0,19}");
  private static final Pattern CRYPTO_PAIR = Pattern.compile("[A-Za-z0-9]{1,20}");
  private static final Pattern CSV_ERROR_LINE = Pattern.compile("(?:line:? |startline )(\\d+)");
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd")
      .optionalStart().appendLiteral(' ').optionalEnd()
      .optionalStart().appendLiteral('T').optionalEnd()
      .appendPattern("HH:mm:ss")
      .appendOffset("+HH:MM", "Z")
      .toFormatter(Locale.ROOT);

  private BarFileReader() {}

  /**
   * Reads every {@code *.csv} file of {@code folder} (not recursive, hidden files skipped), sorted by
   * file name, with the SHA-256 of each file's bytes.
   *
   * @throws BadBarDataException      on the first bad file, header or row, or when two files are the same instrument
   * @throws IllegalArgumentException when the folder does not exist, is a file, or holds no {@code .csv} file
   * @throws UncheckedIOException     when the folder or a file cannot be read (permissions, I/O error)
   */
  public static BarFolder readAll(Path folder) {
    Checked<InstrumentBars> checked = check(folder, bars -> bars, InstrumentBars::instrument, null);
    return new BarFolder(folder, checked.files(), checked.sha256ByFile(), checked.ignored());
  }

  /**
   * Checks every {@code *.csv} file of {@code folder} as {@link #readAll} does (the same refusals,
   * before anything starts) but keeps of each only what a replay needs to read it again one bar at
   * a time ({@link BarFileIndex}: instrument, interval, bar open times), not the bars.
   *
   * @throws BadBarDataException      on the first bad file, header or row, or when two files are the same instrument
   * @throws IllegalArgumentException when the folder does not exist, is a file, or holds no {@code .csv} file
   * @throws UncheckedIOException     when the folder or a file cannot be read (permissions, I/O error)
   */
  public static ScannedBarFolder scanAll(Path folder) {
    Checked<BarFileIndex> checked = check(folder, BarFileIndex::of, BarFileIndex::instrument, null);
    return new ScannedBarFolder(folder, checked.files(), checked.sha256ByFile(), checked.ignored());
  }

  /**
   * {@link #scanAll(Path)}, taking the index of a file whose name and bytes {@code cache} holds from it instead of parsing the
   * file again (it passed the same checks before); the files it does not hold are checked and indexed as usual. Store the
   * result in the cache with {@link BarIndexCache#storeAll}.
   *
   * @throws BadBarDataException      on the first bad file, header or row, or when two files are the same instrument
   * @throws IllegalArgumentException when the folder does not exist, is a file, or holds no {@code .csv} file
   * @throws UncheckedIOException     when the folder or a file cannot be read (permissions, I/O error)
   */
  public static ScannedBarFolder scanAll(Path folder, BarIndexCache cache) {
    Checked<BarFileIndex> checked = check(folder, BarFileIndex::of, BarFileIndex::instrument, cache::load);
    return new ScannedBarFolder(folder, checked.files(), checked.sha256ByFile(), checked.ignored());
  }

  /** What {@link #check} kept of each bar file, the SHA-256 of each, and the folder's other entries. */
  private record Checked<T>(List<T> files, SortedMap<String, String> sha256ByFile, List<String> ignored) {}

  /**
   * Reads and checks every bar file of {@code folder} (the refusals of {@link #readAll}), keeping {@code keep} of each, or what
   * {@code cached} (when not null) has of a file with those bytes (by its path and SHA-256), which passed the checks before.
   */
  private static <T> Checked<T> check(Path folder, java.util.function.Function<InstrumentBars, T> keep,
      java.util.function.Function<T, Instrument> instrumentOf, java.util.function.BiFunction<Path, String, java.util.Optional<T>> cached) {
    if (Files.isRegularFile(folder))
      throw new IllegalArgumentException("data folder " + folder + " is a file: name the folder that holds the bar files");
    if (!Files.isDirectory(folder)) throw new IllegalArgumentException("data folder not found: " + folder);
    List<Path> entries = list(folder);
    List<Path> barFiles = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (Path entry : entries) {
      if (isBarFile(entry)) barFiles.add(entry);
      else ignored.add(entry.getFileName().toString());
    }
    if (barFiles.isEmpty()) throw new IllegalArgumentException(noBarFiles(folder, entries));
    List<T> files = new ArrayList<>();
    SortedMap<String, String> sha256ByFile = new TreeMap<>();
    Map<InstrumentId, Path> fileOf = new HashMap<>();
    for (Path file : barFiles) {
      byte[] bytes = bytesOf(file);
      String sha256 = BarFolder.sha256(bytes);
      java.util.Optional<T> known = cached == null ? java.util.Optional.empty() : cached.apply(file, sha256);
      T kept = known.isPresent() ? known.get() : keep.apply(parse(file, bytes));
      InstrumentId id = instrumentOf.apply(kept).id();
      Path other = fileOf.putIfAbsent(id, file);
      if (other != null)
        throw new BadBarDataException(file, 0, "is the instrument " + id + ", like " + other.getFileName() + ": keep one of the two");
      sha256ByFile.put(file.getFileName().toString(), sha256);
      files.add(kept);
    }
    return new Checked<>(files, sha256ByFile, ignored);
  }

  /**
   * The bars of {@code file}, checked before by {@link #scanAll}, read again one row at a time with
   * {@code interval} (the file's, as found then). A row that no longer parses fails the iterator with
   * the file, line and reason. The first {@code skip} rows are passed over without being parsed into bars.
   */
  static java.util.Iterator<Bar> stream(Path file, InstrumentId id, Duration interval, int skip) {
    java.io.Reader reader;
    try {
      reader = new java.io.PushbackReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), 1);
      int first = reader.read();
      if (first != -1 && first != '\uFEFF') ((java.io.PushbackReader) reader).unread(first);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bar file " + file + ": " + reason(e), e);
    }
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreHeaderCase(true).setTrim(true).get();
    CSVParser parser;
    try {
      parser = CSVParser.parse(reader, format);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bar file " + file + ": " + reason(e), e);
    }
    Layout layout = layout(file, parser.getHeaderNames());
    Columns columns = Columns.of(parser.getHeaderNames());
    java.util.Iterator<CSVRecord> records = parser.iterator();
    for (int i = 0; i < skip && records.hasNext(); i++) records.next();
    return new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = records.hasNext();
        if (!more) {
          try {
            parser.close();
          } catch (IOException ignored) {
            // read to the end: nothing is lost
          }
        }
        return more;
      }

      @Override
      public Bar next() {
        CSVRecord record = records.next();
        Row r = parseRow(file, record.getRecordNumber() + 1, record, layout, columns);
        return new Bar(id, interval, Price.of(r.open()), Price.of(r.high()), Price.of(r.low()), Price.of(r.close()), r.volume(), r.tsOpen());
      }
    };
  }

  /**
   * Reads every {@code *.csv} file of {@code folder}: {@link #readAll}'s bars.
   *
   * @throws BadBarDataException      on the first bad file, header or row
   * @throws IllegalArgumentException when the folder does not exist or holds no CSV file
   * @throws UncheckedIOException     when a file cannot be read
   */
  public static List<InstrumentBars> readFolder(Path folder) {
    return readAll(folder).files();
  }

  /**
   * Reads one bar file.
   *
   * @throws BadBarDataException  on a bad name, header or row
   * @throws UncheckedIOException when the file cannot be read
   */
  public static InstrumentBars read(Path file) {
    return parse(file, bytesOf(file));
  }

  private static List<Path> list(Path folder) {
    try (Stream<Path> listing = Files.list(folder)) {
      return listing.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the data folder " + folder + ": " + reason(e), e);
    }
  }

  private static boolean isBarFile(Path entry) {
    String name = entry.getFileName().toString();
    return name.toLowerCase(Locale.ROOT).endsWith(".csv") && !name.startsWith(".") && Files.isRegularFile(entry);
  }

  private static String noBarFiles(Path folder, List<Path> entries) {
    List<String> withBarFiles = entries.stream().filter(Files::isDirectory)
        .filter(sub -> list(sub).stream().anyMatch(BarFileReader::isBarFile))
        .map(sub -> sub.getFileName().toString()).toList();
    return "no .csv bar files in " + folder
        + (withBarFiles.isEmpty() ? "" : " (its folders " + String.join(", ", withBarFiles) + " have some: name one of them)");
  }

  private static byte[] bytesOf(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bar file " + file + ": " + reason(e), e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NoSuchFileException) return "no such file";
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  private static InstrumentBars parse(Path file, byte[] bytes) {
    String text = utf8Text(file, bytes);
    if (text.startsWith("\uFEFF")) text = text.substring(1);
    if (text.isBlank())
      throw new BadBarDataException(file, 0, "is empty: a bar file starts with the header date,open,high,low,close,volume (or timestamp,...)");
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreHeaderCase(true).setTrim(true).get();
    try (CSVParser parser = CSVParser.parse(text, format)) {
      Layout layout = layout(file, parser.getHeaderNames());
      Columns columns = Columns.of(parser.getHeaderNames());
      InstrumentId id = layout.instrumentId(file, baseName(file));
      Lines lines = new Lines(text);
      List<Row> rows = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      int maxScale = 0;
      Row previous = null;
      for (CSVRecord record : parser) {
        Row row = parseRow(file, lines.lineAt(record.getCharacterPosition()), record, layout, columns);
        boolean opensSession = previous == null || !previous.tsOpen().toLocalDate().equals(row.tsOpen().toLocalDate());
        if (previous != null) checkAfter(file, previous, row, layout);
        String warning = checkRange(file, row, opensSession);
        if (warning != null) warnings.add(file.getFileName() + " line " + row.line() + ": " + warning);
        for (BigDecimal p : List.of(row.open(), row.high(), row.low(), row.close())) maxScale = Math.max(maxScale, p.scale());
        rows.add(row);
        previous = row;
      }
      if (rows.isEmpty()) throw new BadBarDataException(file, 2, "no bar rows after the header");
      Duration interval = layout.interval() != null ? layout.interval() : typicalInterval(rows);
      checkGrid(file, rows, interval, layout);
      Instrument instrument = layout.instrument(id, maxScale);
      List<Bar> bars = new ArrayList<>(rows.size());
      for (Row r : rows)
        bars.add(new Bar(id, interval, Price.of(r.open()), Price.of(r.high()), Price.of(r.low()), Price.of(r.close()), r.volume(), r.tsOpen()));
      return new InstrumentBars(instrument, file, bars, warnings);
    } catch (IOException | UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
      // Parsing text in memory fails only on malformed CSV (an unclosed or misplaced quote); commons-csv names the line.
      String message = String.valueOf(e instanceof UncheckedIOException ? e.getCause().getMessage() : e.getMessage());
      Matcher line = CSV_ERROR_LINE.matcher(message);
      throw new BadBarDataException(file, line.find() ? Long.parseLong(line.group(1)) : 0, "not valid CSV: " + message);
    }
  }

  /** The text of {@code bytes}, strictly decoded: a byte that is not UTF-8, or a NUL, is not a bar file. */
  private static String utf8Text(Path file, byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) result = decoder.flush(out);
    if (result.isError()) {
      int at = in.position();
      throw new BadBarDataException(file, new Lines(new String(bytes, 0, at, StandardCharsets.ISO_8859_1)).lineAt(at),
          String.format(Locale.ROOT, "not UTF-8 text (byte 0x%02X at offset %d): bar files are UTF-8 CSV", bytes[at] & 0xff, at));
    }
    String text = out.flip().toString();
    int nul = text.indexOf('\0');
    if (nul >= 0)
      throw new BadBarDataException(file, new Lines(text).lineAt(nul), "holds a NUL character, so it is not a text file (UTF-16?): bar files are UTF-8 CSV");
    return text;
  }

  private record Row(long line, String time, OffsetDateTime tsOpen, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal close,
      BigDecimal volume) {}

  private static Row parseRow(Path file, long line, CSVRecord record, Layout layout, Columns columns) {
    if (!record.isConsistent())
      throw new BadBarDataException(file, line, "expected " + record.getParser().getHeaderNames().size() + " fields, found " + record.size());
    String column = layout.timeColumn();
    String time = field(file, line, record, column, columns);
    OffsetDateTime tsOpen;
    try {
      tsOpen = OffsetDateTime.parse(time, TIMESTAMP);
    } catch (DateTimeParseException e) {
      String why = time.matches("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}") ? "has no UTC offset" : "is not yyyy-MM-dd HH:mm:ss+HH:MM";
      throw new BadBarDataException(file, line, column + " '" + time + "' " + why);
    }
    if (layout.offset() != null && !tsOpen.getOffset().equals(layout.offset()))
      throw new BadBarDataException(file, line,
          column + " '" + time + "' is not in the exchange's time: " + layout.exchange + " times carry the offset " + offset(layout.offset()));
    for (String extra : layout.extraColumns()) {
      String text = field(file, line, record, extra, columns);
      BigDecimal value = decimal(file, line, extra, text);
      if (decimals(value) > 0) throw new BadBarDataException(file, line, extra + " '" + text + "' is not a whole number");
    }
    if (layout.interval() != null && !tsOpen.toLocalTime().equals(java.time.LocalTime.MIDNIGHT))
      throw new BadBarDataException(file, line, column + " '" + time + "' is not at 00:00: a daily bar opens at the start of its day");
    return new Row(line, time, tsOpen, price(file, line, record, "open", layout, columns), price(file, line, record, "high", layout, columns),
        price(file, line, record, "low", layout, columns), price(file, line, record, "close", layout, columns), volume(file, line, record, layout, columns));
  }

  private static BigDecimal price(Path file, long line, CSVRecord record, String column, Layout layout, Columns columns) {
    String text = field(file, line, record, column, columns);
    BigDecimal value = decimal(file, line, column, text);
    if (value.signum() == 0) throw new BadBarDataException(file, line, column + " is " + text + ": a price must be positive");
    if (value.compareTo(MAX_PRICE) >= 0)
      throw new BadBarDataException(file, line, column + " '" + text + "' is too large: a price must be below " + MAX_PRICE.toPlainString());
    if (value.scale() > layout.priceDecimals() && decimals(value) > layout.priceDecimals())
      throw new BadBarDataException(file, line, column + " '" + text + "' has more than " + layout.priceDecimals() + " decimals" + layout.priceDecimalsWhy());
    return value;
  }

  private static BigDecimal volume(Path file, long line, CSVRecord record, Layout layout, Columns columns) {
    String text = field(file, line, record, "volume", columns);
    BigDecimal value = decimal(file, line, "volume", text);
    if (value.compareTo(MAX_VOLUME) >= 0)
      throw new BadBarDataException(file, line, "volume '" + text + "' is too large: a volume must be below " + MAX_VOLUME.toPlainString());
    if (value.scale() > layout.volumeDecimals() && decimals(value) > layout.volumeDecimals())
      throw new BadBarDataException(file, line, "volume '" + text + "' " + layout.volumeDecimalsWhy());
    return value;
  }

  /** A non-negative decimal ({@code 12}, {@code 0.5}, {@code 1.5E-5}); NaN, infinities and text are refused. */
  private static BigDecimal decimal(Path file, long line, String column, String text) {
    BigDecimal value;
    try {
      value = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new BadBarDataException(file, line, column + " is not a decimal number: '" + text + "'");
    }
    if (value.signum() < 0) throw new BadBarDataException(file, line, column + " is negative: '" + text + "'");
    return value;
  }

  /** Decimals of {@code value} without trailing zeros ({@code 2183.80} has 1); never negative. */
  private static int decimals(BigDecimal value) {
    return value.signum() == 0 ? 0 : Math.max(0, value.stripTrailingZeros().scale());
  }

  /**
   * The index of each header name, lower case: a field is read by its index ({@link CSVRecord#get(String)} looks the name up in
   * a case-insensitive map, which was the largest cost of reading a row).
   */
  private record Columns(Map<String, Integer> index) {
    static Columns of(List<String> headerNames) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < headerNames.size(); i++) index.putIfAbsent(headerNames.get(i).toLowerCase(Locale.ROOT), i);
      return new Columns(index);
    }
  }

  private static String field(Path file, long line, CSVRecord record, String column, Columns columns) {
    Integer i = columns.index().get(column);
    String value = i != null && i < record.size() ? record.get(i) : null;
    if (value == null || value.isEmpty()) throw new BadBarDataException(file, line, "missing " + column);
    return value;
  }

  /** The row's time against the previous row's: the same offset, strictly later. */
  private static void checkAfter(Path file, Row previous, Row row, Layout layout) {
    String column = layout.timeColumn();
    if (!row.tsOpen().getOffset().equals(previous.tsOpen().getOffset()))
      throw new BadBarDataException(file, row.line(), column + " '" + row.time() + "' has the offset " + offset(row.tsOpen().getOffset())
          + ", the rows before " + offset(previous.tsOpen().getOffset()) + ": a file keeps one UTC offset");
    if (!row.tsOpen().isAfter(previous.tsOpen()))
      throw new BadBarDataException(file, row.line(), "time " + row.time() + " is not after the previous row's " + previous.time());
  }

  private static String offset(ZoneOffset offset) {
    return offset.equals(ZoneOffset.UTC) ? "+00:00" : offset.getId();
  }

  /**
   * Refuses high below low and close outside low-high; an open outside low-high is refused too,
   * except on a session's first bar, whose open is the opening auction's price: then the warning.
   */
  private static String checkRange(Path file, Row row, boolean opensSession) {
    if (row.high().compareTo(row.low()) < 0) throw new BadBarDataException(file, row.line(), "high " + row.high() + " is below low " + row.low());
    if (outside(row.close(), row))
      throw new BadBarDataException(file, row.line(), "close " + row.close() + " is outside low-high " + row.low() + "-" + row.high());
    if (!outside(row.open(), row)) return null;
    if (opensSession) return "open " + row.open() + " outside high-low " + row.low() + "-" + row.high()
        + " on the session's first bar (the opening auction's price; used as it is)";
    throw new BadBarDataException(file, row.line(), "open " + row.open() + " is outside low-high " + row.low() + "-" + row.high()
        + " (only a session's first bar may open outside its range)");
  }

  private static boolean outside(BigDecimal price, Row row) {
    return price.compareTo(row.high()) > 0 || price.compareTo(row.low()) < 0;
  }

  /** Every bar of a session is on its grid: the session's first bar plus whole intervals, on whole minutes for minute bars. */
  private static void checkGrid(Path file, List<Row> rows, Duration interval, Layout layout) {
    boolean minuteBars = interval.toSeconds() % 60 == 0 && interval.toNanosPart() == 0;
    Row first = null;
    for (Row row : rows) {
      if (minuteBars && (row.tsOpen().getSecond() != 0 || row.tsOpen().getNano() != 0))
        throw new BadBarDataException(file, row.line(), layout.timeColumn() + " " + row.time() + " is not on a whole minute, as "
            + describe(interval) + " bars are");
      if (first == null || !first.tsOpen().toLocalDate().equals(row.tsOpen().toLocalDate())) {
        first = row;
      } else if (Duration.between(first.tsOpen(), row.tsOpen()).toNanos() % interval.toNanos() != 0) {
        throw new BadBarDataException(file, row.line(), layout.timeColumn() + " " + row.time() + " is off the " + describe(interval)
            + " grid of its session, which starts at " + first.tsOpen().toLocalTime() + " (line " + first.line() + ")");
      }
    }
  }

  private static String describe(Duration interval) {
    if (interval.toSeconds() % 60 == 0 && interval.toNanosPart() == 0) return interval.toMinutes() + "-minute";
    return interval.toMillis() + "-millisecond";
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
    List<String> names = header.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    Layout layout = names.isEmpty() ? null : names.get(0).equals("date") ? Layout.NSE_EQUITY
        : names.get(0).equals("timestamp") ? (names.contains("oi") ? Layout.NSE_EQUITY_DAILY : Layout.CRYPTO) : null;
    String expected = "the header must be date,open,high,low,close,volume (NSE equity bars), timestamp,open,high,low,close,volume"
        + " (crypto bars) or timestamp,open,high,low,close,volume,oi (NSE daily bars)";
    String found = String.join(",", header);
    found = "'" + (found.length() > 80 ? found.substring(0, 80) + "..." : found) + "'";
    if (layout == null) throw new BadBarDataException(file, 1, expected + ", found " + found + ": the first column must be date or timestamp");
    Set<String> columns = new LinkedHashSet<>(List.of(layout.timeColumn()));
    columns.addAll(BAR_COLUMNS);
    columns.addAll(layout.extraColumns());
    if (names.size() == columns.size() && columns.equals(new HashSet<>(names))) return layout;
    List<String> problems = new ArrayList<>();
    columns.stream().filter(c -> !names.contains(c)).forEach(c -> problems.add("missing " + c));
    names.stream().filter(n -> !columns.contains(n)).forEach(n -> problems.add("unknown column " + n));
    names.stream().filter(n -> names.indexOf(n) != names.lastIndexOf(n)).distinct().forEach(n -> problems.add(n + " twice"));
    throw new BadBarDataException(file, 1, expected + ", found " + found + ": " + String.join(", ", problems));
  }

  /** Line numbers (1-based) of character positions, for positions asked in increasing order. */
  private static final class Lines {
    private final String text;
    private int position;
    private long line = 1;

    Lines(String text) {
      this.text = text;
    }

    long lineAt(long characterPosition) {
      while (position < characterPosition && position < text.length()) {
        char c = text.charAt(position++);
        if (c == '\n' || (c == '\r' && (position == text.length() || text.charAt(position) != '\n'))) line++;
      }
      return line;
    }
  }

  private enum Layout {
    NSE_EQUITY("date", "NSE", ZoneOffset.ofHoursMinutes(5, 30), 2, 0) {
      @Override
      InstrumentId instrumentId(Path file, String baseName) {
        if (!NSE_SYMBOL.matcher(baseName).matches())
          throw new BadBarDataException(file, 0, "the file name '" + baseName + "' cannot be an NSE symbol: name the file SYMBOL.csv, SYMBOL being"
              + " 1 to 20 letters, digits, '&' or '-' (TCS.csv, M&M.csv, BAJAJ-AUTO.csv)");
        return new InstrumentId(baseName.toUpperCase(Locale.ROOT) + "-EQ", "NSE");
      }

      @Override
      Instrument instrument(InstrumentId id, int maxScale) {
        return new Instrument(id, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null);
      }

      @Override
      String priceDecimalsWhy() {
        return ": NSE prices are in paise";
      }

      @Override
      String volumeDecimalsWhy() {
        return "is not a whole number: an NSE volume counts shares";
      }
    },
    NSE_EQUITY_DAILY("timestamp", "NSE", ZoneOffset.ofHoursMinutes(5, 30), 2, 0) {
      @Override
      InstrumentId instrumentId(Path file, String baseName) {
        return NSE_EQUITY.instrumentId(file, baseName);
      }

      @Override
      Instrument instrument(InstrumentId id, int maxScale) {
        return NSE_EQUITY.instrument(id, maxScale);
      }

      @Override
      String priceDecimalsWhy() {
        return NSE_EQUITY.priceDecimalsWhy();
      }

      @Override
      String volumeDecimalsWhy() {
        return NSE_EQUITY.volumeDecimalsWhy();
      }

      @Override
      Duration interval() {
        return Duration.ofDays(1);
      }

      @Override
      List<String> extraColumns() {
        return List.of("oi");
      }
    },
    CRYPTO("timestamp", "crypto", null, 10, 10) {
      @Override
      InstrumentId instrumentId(Path file, String baseName) {
        String pair = INTERVAL_SUFFIX.matcher(baseName).replaceFirst("");
        if (!CRYPTO_PAIR.matcher(pair).matches())
          throw new BadBarDataException(file, 0, "the file name '" + baseName + "' cannot be a crypto pair: name the file PAIR_1m.csv, PAIR being"
              + " 1 to 20 letters or digits (BTCUSDT_1m.csv)");
        return new InstrumentId(pair.toUpperCase(Locale.ROOT), "BYBIT");
      }

      @Override
      Instrument instrument(InstrumentId id, int maxScale) {
        return new Instrument(id, BigDecimal.ONE.movePointLeft(maxScale), new BigDecimal("0.001"), "USDT", null);
      }

      @Override
      String priceDecimalsWhy() {
        return "";
      }

      @Override
      String volumeDecimalsWhy() {
        return "has more than 10 decimals";
      }
    };

    private final String timeColumn;
    private final String exchange;
    private final ZoneOffset offset;
    private final int priceDecimals;
    private final int volumeDecimals;

    Layout(String timeColumn, String exchange, ZoneOffset offset, int priceDecimals, int volumeDecimals) {
      this.timeColumn = timeColumn;
      this.exchange = exchange;
      this.offset = offset;
      this.priceDecimals = priceDecimals;
      this.volumeDecimals = volumeDecimals;
    }

    String timeColumn() {
      return timeColumn;
    }

    /** The offset every time must carry, or null when any (one per file) is fine. */
    ZoneOffset offset() {
      return offset;
    }

    int priceDecimals() {
      return priceDecimals;
    }

    int volumeDecimals() {
      return volumeDecimals;
    }

    /**
     * @throws BadBarDataException when the file's base name cannot be the layout's symbol
     */
    abstract InstrumentId instrumentId(Path file, String baseName);

    abstract Instrument instrument(InstrumentId id, int maxScale);

    abstract String priceDecimalsWhy();

    abstract String volumeDecimalsWhy();

    /** The bars' interval when the layout fixes it (daily bars), else null: the file's most common spacing. */
    Duration interval() {
      return null;
    }

    /** Columns besides the time and OHLCV ones, checked and not kept. */
    List<String> extraColumns() {
      return List.of();
    }
  }
}
