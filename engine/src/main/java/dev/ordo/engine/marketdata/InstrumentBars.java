package dev.ordo.engine.marketdata;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import java.nio.file.Path;
import java.util.List;

/**
 * All bars of one instrument read from one file, in strictly increasing time order.
 *
 * @param instrument static data (tick size, currency) of the instrument
 * @param source     the file the bars came from
 * @param bars       the bars, oldest first
 * @param warnings   rows used as they are but inconsistent (e.g. open outside high-low), for logging
 */
public record InstrumentBars(Instrument instrument, Path source, List<Bar> bars, List<String> warnings) {

  public InstrumentBars {
    bars = List.copyOf(bars);
    warnings = List.copyOf(warnings);
  }
}
