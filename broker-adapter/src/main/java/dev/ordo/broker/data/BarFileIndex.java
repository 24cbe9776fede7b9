package dev.ordo.broker.data;

import dev.ordo.engine.marketdata.BarSource;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A bar file checked by {@link BarFileReader#scanAll}, without its bars: what a replay needs to read
 * it again one bar at a time ({@link BarSource}).
 *
 * @param instrument static data of the file's instrument
 * @param source     the file
 * @param interval   the bars' interval (the file's most common spacing)
 * @param offset     the UTC offset of the file's times
 * @param openTimes  each bar's open time, epoch seconds, strictly increasing
 * @param warnings   rows used as they are but inconsistent, for logging
 */
public record BarFileIndex(Instrument instrument, Path source, Duration interval, ZoneOffset offset, long[] openTimes, List<String> warnings)
    implements BarSource {

  public BarFileIndex {
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(source, "source");
    warnings = List.copyOf(warnings);
  }

  /** The index of bars read whole (the bars are not kept). */
  static BarFileIndex of(InstrumentBars bars) {
    long[] opens = new long[bars.bars().size()];
    for (int i = 0; i < opens.length; i++) opens[i] = bars.bars().get(i).tsOpen().toEpochSecond();
    Bar first = bars.bars().get(0);
    return new BarFileIndex(bars.instrument(), bars.source(), first.interval(), first.tsOpen().getOffset(), opens, bars.warnings());
  }

  @Override
  public Iterator<Bar> read() {
    return BarFileReader.stream(source, instrument.id(), interval, 0);
  }

  /** The bars from bar {@code first} on; the rows before it are split into fields but not parsed into bars. */
  @Override
  public Iterator<Bar> readFrom(int first) {
    java.util.Objects.checkIndex(first, openTimes.length);
    return BarFileReader.stream(source, instrument.id(), interval, first);
  }
}
