package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Daily bars by instrument, read once from a folder of daily bar files (the layout of
 * {@code shared/data/nse_equity_daily}, see {@link BarFileReader}), and served a day at a time: what
 * the paper broker answers a scanner's daily-bar request with. Only bars of days strictly before the
 * asked day are served, so a replay never sees the day it is in, nor any later one.
 */
public final class DailyBarHistory {

  private final Path folder;
  private final SortedMap<InstrumentId, Instrument> instruments;
  private final Map<InstrumentId, List<Bar>> bars;

  private DailyBarHistory(Path folder, SortedMap<InstrumentId, Instrument> instruments, Map<InstrumentId, List<Bar>> bars) {
    this.folder = folder;
    this.instruments = Collections.unmodifiableSortedMap(instruments);
    this.bars = Map.copyOf(bars);
  }

  /**
   * Reads every bar file of {@code folder}, refusing files that are not daily bars.
   *
   * @throws BadBarDataException      on a bad file, header or row (as {@link BarFileReader#readAll}), or a file of intraday bars
   * @throws IllegalArgumentException when the folder does not exist or holds no {@code .csv} file
   * @throws java.io.UncheckedIOException when a file cannot be read
   */
  public static DailyBarHistory read(Path folder) {
    SortedMap<InstrumentId, Instrument> instruments = new TreeMap<>();
    Map<InstrumentId, List<Bar>> bars = new java.util.HashMap<>();
    for (InstrumentBars file : BarFileReader.readAll(folder).files()) {
      if (!file.bars().get(0).interval().equals(Duration.ofDays(1)))
        throw new BadBarDataException(file.source(), 1, "holds " + file.bars().get(0).interval().toMinutes()
            + "-minute bars, not daily ones: daily bars have the header timestamp,open,high,low,close,volume,oi");
      instruments.put(file.instrument().id(), file.instrument());
      bars.put(file.instrument().id(), List.copyOf(file.bars()));
    }
    return new DailyBarHistory(folder, instruments, bars);
  }

  /** The folder the bars were read from. */
  public Path folder() {
    return folder;
  }

  /** The instruments with daily bars, sorted by id. */
  public SortedMap<InstrumentId, Instrument> instruments() {
    return instruments;
  }

  /**
   * The last {@code count} (or fewer) bars of {@code instrument} whose day (in the exchange's time) is
   * before {@code before}, oldest first; empty for an instrument without daily bars.
   *
   * @throws IllegalArgumentException when {@code count} is not positive
   */
  public List<Bar> before(InstrumentId instrument, LocalDate before, int count) {
    Objects.requireNonNull(before, "before");
    if (count < 1) throw new IllegalArgumentException("count must be positive, got " + count);
    List<Bar> all = bars.getOrDefault(instrument, List.of());
    int low = 0;
    int high = all.size();
    while (low < high) { // the first bar on or after `before`
      int mid = (low + high) >>> 1;
      if (all.get(mid).tsOpen().toLocalDate().isBefore(before)) low = mid + 1;
      else high = mid;
    }
    return all.subList(Math.max(0, low - count), low);
  }
}
