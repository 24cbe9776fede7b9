package dev.ordo.bench;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * More instruments from the real bar series: copy {@code k} of a real series is the same bars (prices and volumes
 * unchanged) under the name {@code SYMBOL-Ck}, every bar moved {@code k} weeks later and wrapped into the series'
 * 52-week cycle (a bar moved past the cycle goes 364 days back). Whole weeks keep each bar's weekday and time of day,
 * so the copy has the same session shapes (09:15 to 15:25 in IST, the special sessions on their weekdays); the wrap
 * keeps every copy inside the real data's year (2023-07-03 to 2024-06-28 spans 361 days, under one cycle, so no two
 * bars of a copy meet). Copies {@code k} and {@code k + 52} of a series have the same times: at 2,000 instruments (100
 * copies of 20 series) two names share each shifted series.
 */
public final class InstrumentMultiplier {

  /** Days in one cycle: 52 whole weeks. */
  static final int CYCLE_DAYS = 364;

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx");

  private InstrumentMultiplier() {}

  /**
   * {@code count} instruments: the real series first (copy 0, unchanged), then copy 1 of each, copy 2 of each, ...
   *
   * @throws IllegalArgumentException when {@code real} is empty or {@code count} is not positive
   */
  public static List<InstrumentBars> multiply(List<InstrumentBars> real, int count) {
    return multiply(real, count, null, null);
  }

  /**
   * As {@link #multiply(List, int)}, each copy keeping only its bars (after the move) of sessions {@code from..to}
   * (null: no bound), so that many copies of a short period take little memory.
   */
  public static List<InstrumentBars> multiply(List<InstrumentBars> real, int count, LocalDate from, LocalDate to) {
    if (real.isEmpty()) throw new IllegalArgumentException("no real series to multiply");
    if (count < 1) throw new IllegalArgumentException("instrument count must be positive, got " + count);
    List<InstrumentBars> sorted = new ArrayList<>(real);
    sorted.sort(Comparator.comparing(file -> file.instrument().id()));
    List<InstrumentBars> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(copy(sorted.get(i % sorted.size()), i / sorted.size(), from, to));
    return out;
  }

  /** Copy {@code k} of {@code series} (k = 0: the series itself). */
  public static InstrumentBars copy(InstrumentBars series, int k) {
    return copy(series, k, null, null);
  }

  /** Copy {@code k} of {@code series} (k = 0: the series itself), only its bars of sessions {@code from..to} (null: no bound). */
  public static InstrumentBars copy(InstrumentBars series, int k, LocalDate from, LocalDate to) {
    InstrumentId id = series.instrument().id();
    if (k == 0 && from == null && to == null) return series;
    String base = id.symbol().endsWith("-EQ") ? id.symbol().substring(0, id.symbol().length() - 3) : id.symbol();
    InstrumentId copyId = k == 0 ? id : new InstrumentId(copyName(base, k) + (id.symbol().endsWith("-EQ") ? "-EQ" : ""), id.venue());
    Instrument instrument = k == 0 ? series.instrument() : new Instrument(copyId, series.instrument().tickSize(), series.instrument().lotSize(),
        series.instrument().currency(), null);
    LocalDate start = series.bars().get(0).tsOpen().toLocalDate();
    List<Bar> bars = new ArrayList<>(series.bars().size());
    for (Bar bar : series.bars()) {
      OffsetDateTime shifted = bar.tsOpen().plusWeeks(k % (CYCLE_DAYS / 7));
      while (!shifted.toLocalDate().isBefore(start.plusDays(CYCLE_DAYS))) shifted = shifted.minusDays(CYCLE_DAYS);
      LocalDate day = shifted.toLocalDate();
      if ((from != null && day.isBefore(from)) || (to != null && day.isAfter(to))) continue;
      bars.add(new Bar(copyId, bar.interval(), bar.open(), bar.high(), bar.low(), bar.close(), bar.volume(), shifted));
    }
    bars.sort(Comparator.comparing(b -> b.tsOpen().toInstant()));
    return new InstrumentBars(instrument, series.source(), bars, List.of());
  }

  /** The file base name of copy {@code k} of {@code base}: {@code INFY-C7}. */
  static String copyName(String base, int k) {
    return base + "-C" + k;
  }

  /**
   * Writes each series as an NSE bar file ({@code date,open,high,low,close,volume}) named after its trading symbol
   * without {@code -EQ}, keeping only sessions {@code from..to} (null: no bound), into {@code folder}.
   *
   * @return the bars written
   */
  public static long writeFolder(List<InstrumentBars> series, Path folder, LocalDate from, LocalDate to) {
    long written = 0;
    try {
      Files.createDirectories(folder);
      for (InstrumentBars file : series) {
        String symbol = file.instrument().id().symbol();
        String name = symbol.endsWith("-EQ") ? symbol.substring(0, symbol.length() - 3) : symbol;
        try (Writer out = Files.newBufferedWriter(folder.resolve(name + ".csv"), StandardCharsets.UTF_8)) {
          out.write("date,open,high,low,close,volume\n");
          for (Bar bar : file.bars()) {
            LocalDate day = bar.tsOpen().toLocalDate();
            if ((from != null && day.isBefore(from)) || (to != null && day.isAfter(to))) continue;
            out.write(TIME.format(bar.tsOpen()).replace('T', ' ') + "," + bar.open() + "," + bar.high() + "," + bar.low() + "," + bar.close()
                + "," + bar.volume().toPlainString() + "\n");
            written++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bench's bar files to " + folder + ": " + e.getMessage(), e);
    }
    return written;
  }

  /** The interval of the series (all real NSE files: 5 minutes). */
  static Duration interval(List<InstrumentBars> series) {
    return series.get(0).bars().get(0).interval();
  }
}
