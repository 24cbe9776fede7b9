package dev.ordo.engine.marketdata;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;

/**
 * One instrument's bars, checked once and read again one bar at a time when a replay needs them,
 * so a replay holds a few bars per instrument instead of all of them ({@link ReplaySchedule#streamed}).
 */
public interface BarSource {

  /** Static data (tick size, currency) of the instrument. */
  Instrument instrument();

  /** The UTC offset of every bar time (one per source). */
  ZoneOffset offset();

  /** The open time of every bar, epoch seconds, strictly increasing: what {@link #read()} gives, in that order. */
  long[] openTimes();

  /** Rows used as they are but inconsistent (e.g. an open outside high-low), for logging. */
  List<String> warnings();

  /**
   * The bars again, oldest first, read as the iterator advances.
   *
   * @throws java.io.UncheckedIOException when the source cannot be read (also from the iterator)
   * @throws IllegalStateException from the iterator when the source no longer holds the bars it was checked with
   */
  Iterator<Bar> read();

  /** How many bars open at or before {@code time} (the index of the first one after it), found in {@link #openTimes()}. */
  default int countUpTo(java.time.OffsetDateTime time) {
    int found = java.util.Arrays.binarySearch(openTimes(), time.toEpochSecond());
    return found >= 0 ? found + 1 : -found - 1;
  }

  /**
   * The bars from bar {@code first} on (0 is the oldest), read as the iterator advances; a source that
   * can skip rows without parsing them does so (a resumed replay starts late in its files).
   *
   * @throws IndexOutOfBoundsException when {@code first} is not an index of {@link #openTimes()}
   * @throws java.io.UncheckedIOException when the source cannot be read (also from the iterator)
   * @throws IllegalStateException from the iterator when the source no longer holds the bars it was checked with
   */
  default Iterator<Bar> readFrom(int first) {
    java.util.Objects.checkIndex(first, openTimes().length);
    Iterator<Bar> bars = read();
    for (int i = 0; i < first && bars.hasNext(); i++) bars.next();
    return bars;
  }
}
